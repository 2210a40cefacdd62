using System.Net.Sockets;
using Engram.Agents.Capture;
using Engram.Agents.Worker;
using Engram.Core;
using Engram.Hosting;

namespace Engram.Cli;

/// <summary>
/// The worker's side of <see cref="CommandSocket"/>: runs clients' one-shot commands on the worker's open
/// runtime, each in its own async flow with its own output, while the drain loop goes on.
/// </summary>
internal sealed class CommandSocketServer : IWorkerCompanion
{
    private readonly Socket _socket;
    private readonly string _path;
    private readonly EngramRuntime _runtime;
    private readonly HookLog _log;
    private readonly string _fingerprint;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _lastServedTicks;

    private CommandSocketServer(Socket socket, string path, EngramRuntime runtime, HookLog log, string settingsStamp)
    {
        (_socket, _path, _runtime, _log) = (socket, path, runtime, log);
        _fingerprint = CommandSocket.SettingsFingerprint(settingsStamp);
        _lastServedTicks = runtime.Time.GetUtcNow().UtcTicks;
        _accepting = AcceptAsync();
    }

    /// <summary>When a client was last answered: the worker does not count itself idle while it serves commands.</summary>
    public DateTimeOffset LastActive => new(Interlocked.Read(ref _lastServedTicks), TimeSpan.Zero);

    /// <summary>Listens on the home's socket (the caller holds the worker lock); null when it cannot (the commands then run in their own processes).</summary>
    /// <param name="settingsStamp">The <see cref="CommandSocket.SettingsStamp"/> read before <paramref name="runtime"/> loaded its settings.</param>
    public static CommandSocketServer? TryStart(EngramRuntime runtime, HookLog log, string settingsStamp)
    {
        if (runtime.IsRemote) return null;
        var path = CommandSocket.PathIn(runtime.Home.Root);
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            // Bound under a side name, made owner-only and listening, then renamed into place: the socket never
            // shows at its path with the umask's permissions or refusing connections. Files left by a killed
            // worker are no one's (only the lock holder listens).
            var pending = path + ".new";
            File.Delete(pending);
            socket.Bind(new UnixDomainSocketEndPoint(pending));
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(pending, OwnerOnly.FileMode);
            socket.Listen(16);
            File.Move(pending, path, overwrite: true);
            return new CommandSocketServer(socket, path, runtime, log, settingsStamp);
        }
        catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            socket.Dispose();
            log.Error("worker", $"one-shot commands run in their own processes: cannot listen on {path}: {ex.Message}");
            return null;
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _socket.AcceptAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(Socket client)
    {
        try
        {
            await using var stream = new NetworkStream(client, ownsSocket: true);
            var args = CommandSocket.ReadRequest(stream, _fingerprint);
            if (args is null)
            {
                CommandSocket.WriteDeclined(stream);
                return;
            }
            // This flow alone writes to these writers and uses the worker's runtime.
            using var output = new StringWriter();
            using var error = new StringWriter();
            Output.CaptureInThisFlow(output, error);
            MemoryCommands.ShareInThisFlow(_runtime);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var exitCode = await Program.RunAsync(args, _stop.Token);
            Interlocked.Exchange(ref _lastServedTicks, _runtime.Time.GetUtcNow().UtcTicks);
            // An agent's tool call is worth a line (which command only: the arguments hold the user's words); one-shot searches are not.
            if (args[0] == "mcp") _log.Info("worker", $"answered an MCP tool call for engram-mcp (exit {exitCode}, {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms)");
            CommandSocket.WriteResult(stream, exitCode, output.ToString(), error.ToString());
        }
        catch (Exception ex) when (ex is IOException or SocketException or EndOfStreamException or ObjectDisposedException)
        {
            // The client went away; it runs the command itself if it still needs it.
        }
        catch (Exception ex)
        {
            _log.Error("worker", $"one-shot command: {ex.GetType().Name}: {ex.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await _accepting;
        try
        {
            File.Delete(_path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A stale socket file is harmless: clients fall back, and the next worker replaces it.
        }
        _stop.Dispose();
    }
}
