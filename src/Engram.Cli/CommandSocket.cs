using System.Net.Sockets;
using System.Text;

namespace Engram.Cli;

/// <summary>
/// One-shot <c>search</c> and <c>add</c> answered by the running worker, which has the store open and the
/// model loaded: the command sends its arguments over <c>$ENGRAM_HOME/cli.sock</c> (a Unix socket in the
/// owner-only home, itself owner-only) and prints what the worker's run of the same command printed. With no
/// worker, or one started with other settings, the command runs in its own process as before. An <c>add</c>
/// the worker answers is written to the database before the answer is sent.
/// </summary>
internal static class CommandSocket
{
    public const string FileName = "cli.sock";
    private const int ProtocolVersion = 1;
    private const int Ran = 0;
    private const int Declined = 1;

    /// <summary>
    /// Set to 1 by the native front for the managed engram it becomes after asking the worker: the worker declined, hung
    /// up or did not answer in time, so asking again would only cost as much once more (a worker that takes the request
    /// and never answers: a second <see cref="AnswerTimeout"/>).
    /// </summary>
    public const string AskedVariable = "ENGRAM_WORKER_ASKED";

    /// <summary>How long a client waits for the worker's answer (a first search may load the model) before running the command itself.</summary>
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Commands the worker may run for a client: they read nothing but their arguments and the store (<c>mcp</c> only
    /// to answer one request with <c>--call</c>: engram-mcp's tool calls).
    /// </summary>
    private static readonly string[] Served = ["search", "add", "mcp"];

    public static string PathIn(string homeRoot) => Path.Combine(homeRoot, FileName);

    /// <summary>Whether the worker may run this command line: a served command, no stdin text, no remote server, no help.</summary>
    public static bool IsServed(IReadOnlyList<string> args) =>
        args.Count > 1 && Served.Contains(args[0])
        && (args[0] != "mcp" || args.Any(a => a == "--call" || a.StartsWith("--call=", StringComparison.Ordinal)))
        && !args.Any(a => a is "-" or "--server" or "--help" or "-h" || a.StartsWith("--server=", StringComparison.Ordinal));

    /// <summary>
    /// What a command's answer depends on besides its arguments: the environment (<see cref="SettingsFingerprint()"/>)
    /// and the home's settings.json as it is now (<see cref="SettingsStamp"/>). The worker's is taken when it starts,
    /// so one started before settings.json was edited (or broken) never answers with the old settings.
    /// </summary>
    public static string SettingsFingerprint(string settingsStamp) => SettingsFingerprint() + "\n" + settingsStamp;

    /// <summary>
    /// The home's settings.json in a line: its length and FNV-1a hash, "none" without one. A file that cannot be read
    /// gets a stamp no other process shares, so a worker never answers for it (the command reports it in its own run).
    /// Read before the settings are loaded: a change in between makes the worker decline, never answer with old ones.
    /// </summary>
    public static string SettingsStamp(string homeRoot)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(Path.Combine(homeRoot, "settings.json"));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return "settings.json none";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"settings.json unreadable by {Environment.ProcessId} at {Environment.TickCount64}";
        }
        var hash = 14695981039346656037UL;
        foreach (var b in bytes) hash = (hash ^ b) * 1099511628211UL;
        return $"settings.json {bytes.Length} {hash:x16}";
    }

    /// <summary>
    /// The environment that changes what a command does (Engram's settings variables and the model keys), so a
    /// worker started with other settings never answers for this process. Left out: the variables that say where
    /// things are or how one process runs, not what a command does (a worker started by the session-start hook
    /// inherits that hook's ENGRAM_HOOK_SPOOLED, and one started by a managed engram the front ran inherits
    /// <see cref="AskedVariable"/>: both must still answer).
    /// </summary>
    public static string SettingsFingerprint()
    {
        var names = Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(n => (n.StartsWith("ENGRAM_", StringComparison.Ordinal)
                    && n is not ("ENGRAM_HOME" or "ENGRAM_DEBUG" or "ENGRAM_NO_WORKER" or "ENGRAM_HOOK_SPOOLED" or "ENGRAM_CLI" or AskedVariable))
                || n is "OPENAI_API_KEY" or "ANTHROPIC_API_KEY")
            .Order(StringComparer.Ordinal);
        return string.Join('\n', names.Select(n => $"{n}={Environment.GetEnvironmentVariable(n)}"));
    }

    /// <summary>Runs the command in the worker and prints its output; null when there is none to ask or it declined (the caller runs it itself).</summary>
    public static int? TryRunInWorker(string homeRoot, string[] args)
    {
        if (Ask(homeRoot, args) is not { } answer) return null;
        using (var stdout = Console.OpenStandardOutput()) stdout.Write(answer.Output);
        using (var stderr = Console.OpenStandardError())
        {
            stderr.Write(answer.Error);
            if (Environment.GetEnvironmentVariable("ENGRAM_DEBUG") is "1" or "true") stderr.Write(Encoding.UTF8.GetBytes("engram: answered by the running worker\n"));
        }
        return answer.ExitCode;
    }

    /// <summary>What the worker's run of a command wrote and returned.</summary>
    public sealed record Answer(int ExitCode, byte[] Output, byte[] Error);

    /// <summary>Runs the command in the worker; null when there is none to ask, it declined or went away (the caller runs it itself).</summary>
    public static Answer? Ask(string homeRoot, string[] args)
    {
        var path = PathIn(homeRoot);
        if (Environment.GetEnvironmentVariable(AskedVariable) is "1" || !File.Exists(path)) return null;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Connect(new UnixDomainSocketEndPoint(path));
            socket.ReceiveTimeout = (int)AnswerTimeout.TotalMilliseconds;
            using var stream = new NetworkStream(socket, ownsSocket: false);
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(ProtocolVersion);
            writer.Write(SettingsFingerprint(SettingsStamp(homeRoot)));
            writer.Write(args.Length);
            foreach (var arg in args) writer.Write(arg);
            writer.Flush();
            using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
            if (reader.ReadInt32() != Ran) return null;
            var exitCode = reader.ReadInt32();
            var output = reader.ReadBytes(reader.ReadInt32());
            var error = reader.ReadBytes(reader.ReadInt32());
            return new Answer(exitCode, output, error);
        }
        catch (Exception ex) when (ex is SocketException or IOException or EndOfStreamException)
        {
            // No worker listening (a stale socket file), or it went away: this process does the work.
            // An add the worker had already stored is found as a duplicate and not stored twice.
            return null;
        }
    }

    /// <summary>Reads one request; null when it is not one this worker may run (the client then runs it itself).</summary>
    public static string[]? ReadRequest(Stream stream, string fingerprint)
    {
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        if (reader.ReadInt32() != ProtocolVersion) return null;
        var clientFingerprint = reader.ReadString();
        var count = reader.ReadInt32();
        if (count is < 0 or > 10_000) return null;
        var args = new string[count];
        for (var i = 0; i < count; i++) args[i] = reader.ReadString();
        return clientFingerprint == fingerprint && IsServed(args) ? args : null;
    }

    public static void WriteDeclined(Stream stream)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Declined);
    }

    public static void WriteResult(Stream stream, int exitCode, string output, string error)
    {
        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Ran);
        writer.Write(exitCode);
        foreach (var text in new[] { output, error })
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }
    }
}
