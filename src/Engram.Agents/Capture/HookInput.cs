namespace Engram.Agents.Capture;

/// <summary>
/// The event JSON an agent's hook passes on standard input, read alike by both capture hooks: engram hook and
/// the native engram-hook, which compiles this file in (so it uses nothing beyond the base library).
/// </summary>
public static class HookInput
{
    /// <summary>A larger payload is not captured (and is logged as such).</summary>
    public const int MaxPayloadBytes = 32 * 1024 * 1024;

    /// <summary>All of standard input, or nothing when it is a terminal or larger than <see cref="MaxPayloadBytes"/>.</summary>
    public static byte[] Read(out bool tooLarge)
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
}
