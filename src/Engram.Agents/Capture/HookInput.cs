using System.Runtime.InteropServices;

namespace Engram.Agents.Capture;

/// <summary>
/// The event JSON an agent's hook passes on standard input, read and spooled alike by both capture hooks: engram hook
/// and the native engram-hook, which compiles this file in (so it uses nothing beyond the base library).
/// </summary>
public static class HookInput
{
    /// <summary>A larger payload is not captured (and is logged as such).</summary>
    public const int MaxPayloadBytes = 32 * 1024 * 1024;

    /// <summary>
    /// Reads the event from standard input and, when <paramref name="spool"/> is given, writes it there; a payload
    /// too large or empty is logged and not spooled. A full disk sends the event (and the line saying why) to the
    /// spool's in-memory fallback.
    /// </summary>
    /// <remarks>
    /// Claude Code stops the hooks still running when its session ends (a real session lost its Stop event with the
    /// spool file half written), so reading and spooling, a few milliseconds, finish despite SIGTERM, SIGINT or
    /// SIGHUP. Only that: the rest of the hook stays as easy to stop as before.
    /// </remarks>
    /// <param name="held">Spools the event held, for the caller to release (<see cref="Spool.Write"/>).</param>
    public static HookCapture ReadAndSpool(string agent, string eventName, Spool? spool, HookLog log, bool held = false)
    {
        using var signals = HoldTermination();
        var payload = Read(out var tooLarge);
        string? spooledId = null;
        if (tooLarge) log.Error("hook", $"{agent} {eventName}: payload over {MaxPayloadBytes / (1024 * 1024)} MB, not captured");
        else if (payload.Length == 0) log.Error("hook", $"{agent} {eventName}: empty payload, nothing captured");
        else if (spool is not null) spooledId = spool.Write(agent, eventName, payload, TimeProvider.System.GetUtcNow(), reason => log.Error("hook", $"{agent} {eventName}: {reason}"), held);
        return new HookCapture(payload, tooLarge, spooledId);
    }

    /// <summary>All of standard input, or nothing when it is a terminal or larger than <see cref="MaxPayloadBytes"/>.</summary>
    private static byte[] Read(out bool tooLarge)
    {
        tooLarge = false;
        if (!Console.IsInputRedirected) return [];
        using var stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = stdin.Read(chunk, 0, chunk.Length)) > 0)
        {
            // Keep reading past the limit so the agent is never blocked on a full pipe.
            if (buffer.Length + read > MaxPayloadBytes) tooLarge = true;
            else buffer.Write(chunk, 0, read);
        }
        return tooLarge ? [] : buffer.ToArray();
    }

    /// <summary>Until disposed, SIGTERM, SIGINT and SIGHUP do not end the process (SIGKILL still does).</summary>
    private static Held HoldTermination()
    {
        var registrations = new List<IDisposable>(3);
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP })
        {
            try
            {
                registrations.Add(PosixSignalRegistration.Create(signal, static context => context.Cancel = true));
            }
            catch (PlatformNotSupportedException)
            {
                // Not on this platform: the hook runs as before.
            }
        }
        return new Held(registrations);
    }

    private sealed class Held(List<IDisposable> registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations) registration.Dispose();
        }
    }
}

/// <summary>What a capture hook read: the payload (empty when too large or absent) and the id of its spool file, if it wrote one.</summary>
public readonly record struct HookCapture(byte[] Payload, bool TooLarge, string? SpooledId)
{
    /// <summary>The payload, or null when there is none worth reading (too large or empty).</summary>
    public byte[]? Usable => TooLarge || Payload.Length == 0 ? null : Payload;
}
