using System.Diagnostics;
using Engram.Agents;
using Engram.Agents.Capture;
using Engram.Agents.ClaudeCode;
using Engram.Cli;

namespace Engram.Hook;

/// <summary>
/// <c>engram-hook claude-code EVENT</c>: the native capture hook. It reads the event from stdin, writes one
/// owner-only spool file (the same file <c>engram hook</c> writes), makes sure the worker runs, and for
/// session-start prints the context the worker keeps ready; when none is ready it hands session-start
/// to the managed <c>engram hook</c>, which builds the context as before. It always exits 0 and prints
/// nothing else; errors go to <c>$ENGRAM_HOME/logs</c>.
/// </summary>
internal static class Program
{
    private const int MaxPayloadBytes = 32 * 1024 * 1024;

    /// <summary>How long session-start waits for the managed fallback (Claude Code allows 15 s).</summary>
    private const int FallbackMilliseconds = 13_000;

    public static int Main(string[] args)
    {
        // Inside Engram's own model call (claude -p): capturing it would recurse.
        if (Environment.GetEnvironmentVariable("ENGRAM_INSIDE_MODEL_CALL") == "1") return 0;
        string home;
        try
        {
            home = HomeRoot();
        }
        catch (Exception)
        {
            return 0;
        }
        var log = HookLog.ForHome(home);
        try
        {
            Run(args, home, log);
        }
        catch (Exception ex)
        {
            log.Error("hook", $"engram-hook {string.Join(' ', args)}: {ex.GetType().Name}: {ex.Message}");
        }
        return 0;
    }

    private static void Run(string[] args, string home, HookLog log)
    {
        if (args.Length != 2 || args[0] != "claude-code" || !IsEvent(args[1]))
        {
            var names = string.Join('|', ClaudeCodeHookEvent.All.Select(e => e.CommandName));
            log.Error("hook", $"ignored 'engram-hook {string.Join(' ', args)}': expected engram-hook claude-code <{names}>");
            return;
        }
        var (agent, eventName) = (args[0], args[1]);
        var input = ReadInput(out var tooLarge);
        // A full disk sends the event (and the line saying why) to the in-memory fallback the worker drains.
        var spool = Spool.ForHome(home);
        string? spooled = null;
        if (tooLarge) log.Error("hook", $"{agent} {eventName}: payload over {MaxPayloadBytes / (1024 * 1024)} MB, not captured");
        else if (input.Length == 0) log.Error("hook", $"{agent} {eventName}: empty payload, nothing captured");
        else spooled = spool.Write(agent, eventName, input, TimeProvider.System.GetUtcNow(), reason => log.Error("hook", $"{agent} {eventName}: {reason}"));

        if (eventName == "session-start" && !tooLarge && SessionStart(home, input, spool, spooled, log)) return;
        EnsureWorker(home, log);
    }

    private static bool IsEvent(string name) => ClaudeCodeHookEvent.All.Any(e => e.CommandName == name);

    /// <summary>Prints the ready context, or runs the managed fallback; true when the fallback ran (it starts the worker itself).</summary>
    private static bool SessionStart(string home, byte[] input, Spool spool, string? spooled, HookLog log)
    {
        string? cwd = null;
        // Not a JSON object: the managed hook would print nothing for it either.
        if (input.Length > 0 && !JsonField.TryReadTopLevelString(input, "cwd", out cwd)) return false;
        if (cwd is not { Length: > 0 } || !Directory.Exists(cwd)) cwd = Environment.CurrentDirectory;
        var project = ProjectIdentity.Resolve(cwd);
        var ready = new ContextCache(home).TryReady(project.Key, spool, spooled, () => WorkerLock.IsRunning(home));
        if (ready is not null)
        {
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(ready);
            return false;
        }
        return Fallback(home, input, spooled is not null, log);
    }

    /// <summary>The managed <c>engram hook claude-code session-start</c>, told the event is already spooled.</summary>
    private static bool Fallback(string home, byte[] input, bool spooled, HookLog log)
    {
        var (file, prefix) = ManagedCli();
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var arg in prefix) start.ArgumentList.Add(arg);
        foreach (var arg in new[] { "hook", "claude-code", "session-start" }) start.ArgumentList.Add(arg);
        start.Environment["ENGRAM_HOME"] = home;
        if (spooled) start.Environment["ENGRAM_HOOK_SPOOLED"] = "1";
        try
        {
            using var process = Process.Start(start);
            if (process is null) return false;
            using (var stdin = process.StandardInput.BaseStream) stdin.Write(input);
            if (!process.WaitForExit(FallbackMilliseconds)) log.Error("session-start", $"{file} did not answer within {FallbackMilliseconds / 1000} s");
            return true;
        }
        catch (Exception ex)
        {
            log.Error("session-start", $"could not run {file} for the session-start context: {ex.GetType().Name}: {ex.Message}");
            return false;
        }
    }

    private static void EnsureWorker(string home, HookLog log)
    {
        try
        {
            if (Environment.GetEnvironmentVariable("ENGRAM_NO_WORKER") is "1" or "true") return;
            if (WorkerLock.IsRunning(home)) return;
            var (file, prefix) = ManagedCli();
            WorkerLock.StartDetached(home, file, [.. prefix, "worker"]);
        }
        catch (Exception ex)
        {
            log.Error("worker", $"could not start the background worker: {ex.Message}");
        }
    }

    /// <summary>
    /// The managed engram: <c>ENGRAM_CLI</c> (an executable, or an engram.dll to run with dotnet), else the
    /// engram beside this hook (the install puts them together), else <c>engram</c> on PATH.
    /// </summary>
    internal static (string File, string[] Prefix) ManagedCli()
    {
        static (string, string[]) Of(string path) =>
            path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? ("dotnet", [path]) : (path, []);
        if (Environment.GetEnvironmentVariable("ENGRAM_CLI") is { Length: > 0 } configured) return Of(configured);
        var folder = AppContext.BaseDirectory;
        var apphost = Path.Combine(folder, OperatingSystem.IsWindows() ? "engram.exe" : "engram");
        if (File.Exists(apphost)) return (apphost, []);
        var dll = Path.Combine(folder, "engram.dll");
        return File.Exists(dll) ? Of(dll) : ("engram", []);
    }

    /// <summary><c>$ENGRAM_HOME</c>, else <c>~/.engram</c> (as <c>EngramHome.Resolve</c>).</summary>
    private static string HomeRoot()
    {
        var configured = Environment.GetEnvironmentVariable("ENGRAM_HOME");
        var profile = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (string.IsNullOrWhiteSpace(configured)) return Path.Combine(profile, ".engram");
        var path = configured.Trim();
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal)) path = profile + path[1..];
        return Path.GetFullPath(path);
    }

    private static byte[] ReadInput(out bool tooLarge)
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
