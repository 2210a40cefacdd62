using System.Diagnostics;
using Engram.Agents;
using Engram.Agents.Capture;
using Engram.Agents.Worker;
using Engram.Cli;

namespace Engram.Hook;

/// <summary>
/// <c>engram-hook AGENT EVENT</c>: the native capture hook, for every agent. It reads the event from stdin, writes one
/// owner-only spool file (the same file <c>engram hook</c> writes), makes sure the worker runs, and for
/// session-start prints the context the worker keeps ready; when none is ready it hands session-start
/// to the managed <c>engram hook</c>, which builds the context as before. It always exits 0 and prints
/// nothing else; errors go to <c>$ENGRAM_HOME/logs</c>.
/// </summary>
internal static class Program
{
    /// <summary>How long session-start waits for the managed fallback (Engram installs it with 15 s).</summary>
    private const int FallbackMilliseconds = 13_000;

    /// <summary>
    /// How long session-start waits for a running worker to bring the project's context up to date before it falls
    /// back to the managed hook (about 285 ms of .NET start-up and work on this machine): well inside the 15 s budget.
    /// <c>ENGRAM_HOOK_READY_WAIT_MS</c> changes it (0 to 10,000) for machines too loaded for a worker to catch up in
    /// 300 ms, where falling back would only add a second process doing the same work.
    /// </summary>
    private const int DefaultReadyWaitMilliseconds = 300;

    private const int MaxReadyWaitMilliseconds = 10_000;

    private const int ReadyPollMilliseconds = 5;

    public static int Main(string[] args)
    {
        // Inside Engram's own model call (claude -p): capturing it would recurse.
        if (Environment.GetEnvironmentVariable("ENGRAM_INSIDE_MODEL_CALL") == "1") return 0;
        string home;
        try
        {
            home = NativeLayout.HomeRoot();
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
        // Which agents and events exist is the adapters' business, checked by the worker (an unknown one is set
        // aside there, with its reason): the hook knows no agent, so a new agent needs no new hook.
        if (args.Length != 2 || !IsName(args[0]) || !IsName(args[1]))
        {
            log.Error("hook", $"ignored 'engram-hook {string.Join(' ', args)}': expected engram-hook AGENT EVENT (lower-case names, such as claude-code post-tool-use)");
            return;
        }
        var (agent, eventName) = (args[0], args[1]);
        var spool = Spool.ForHome(home);
        if (eventName != "session-start")
        {
            HookInput.ReadAndSpool(agent, eventName, spool, log);
            EnsureWorker(home, log);
            return;
        }
        // Held until answered: the worker records the context served to this session when it processes the event,
        // so it must not process it before the hook has noted what it printed.
        var captured = HookInput.ReadAndSpool(agent, eventName, spool, log, held: true);
        bool answered;
        try
        {
            // Too large: the managed hook would print nothing for it either.
            answered = captured.TooLarge || TryAnswer(home, captured.Payload, spool, captured.SpooledId, log);
        }
        finally
        {
            if (captured.SpooledId is { } id && !spool.Release(id)) log.Error("session-start", $"event {id} was no longer held in the spool");
        }
        // The managed fallback starts the worker itself.
        if (answered || !Fallback(home, agent, captured.Payload, captured.SpooledId, log)) EnsureWorker(home, log);
    }

    /// <summary>An agent or event name: lower-case letters, digits and dashes (it goes into a file's JSON unescaped).</summary>
    private static bool IsName(string name) =>
        name.Length is > 0 and <= 64 && char.IsAsciiLetterLower(name[0]) && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    /// <summary>Prints the ready context; false when none is ready and the managed hook must build it.</summary>
    private static bool TryAnswer(string home, byte[] input, Spool spool, string? spooled, HookLog log)
    {
        string? cwd = null;
        // Not a JSON object: the managed hook would print nothing for it either.
        if (input.Length > 0 && !JsonField.TryReadTopLevelString(input, "cwd", out cwd)) return true;
        if (cwd is not { Length: > 0 } || !Directory.Exists(cwd)) cwd = Environment.CurrentDirectory;
        var project = ProjectIdentity.Resolve(cwd);
        var cache = new ContextCache(home);
        var ready = WaitForReady(cache, project.Key, spool, spooled, home);
        if (ready is null) return false;
        using (var stdout = Console.OpenStandardOutput()) stdout.Write(ready);
        // The worker records which memories this session was given when it processes the event.
        if (spooled is not null && ready.Length > 0) TryMarkServed(cache, spooled, ready, log);
        return true;
    }

    /// <summary>
    /// The project's ready context, or null. When the worker runs and keeps a context for the project that is only
    /// behind (events wait in the spool, a drain is under way), the hook wakes the worker and waits for it a little:
    /// far cheaper than starting the managed hook, which would do the same work.
    /// </summary>
    private static byte[]? WaitForReady(ContextCache cache, string projectKey, Spool spool, string? spooled, string home)
    {
        bool WorkerRunning() => WorkerLock.IsRunning(home);
        var ready = cache.TryReady(projectKey, spool, spooled, WorkerRunning);
        if (ready is not null || !cache.Has(projectKey) || !WorkerRunning()) return ready;
        spool.WakeWorker();
        var wait = ReadyWaitMilliseconds();
        var started = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(started).TotalMilliseconds < wait)
        {
            Task.Delay(TimeSpan.FromMilliseconds(ReadyPollMilliseconds), TimeProvider.System).GetAwaiter().GetResult();
            ready = cache.TryReady(projectKey, spool, spooled, WorkerRunning);
            if (ready is not null) return ready;
        }
        return null;
    }

    /// <summary>The wait for a running worker; a value that is not a whole number of milliseconds in range is ignored.</summary>
    private static int ReadyWaitMilliseconds() =>
        int.TryParse(Environment.GetEnvironmentVariable("ENGRAM_HOOK_READY_WAIT_MS"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            && ms <= MaxReadyWaitMilliseconds
            ? ms
            : DefaultReadyWaitMilliseconds;

    private static void TryMarkServed(ContextCache cache, string spooled, byte[] ready, HookLog log)
    {
        try
        {
            cache.MarkServed(spooled, ready);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            log.Error("session-start", $"could not note the served context of event {spooled}; its injections go unrecorded: {ex.Message}");
        }
    }

    /// <summary>The managed <c>engram hook AGENT session-start</c>, told the id of the event already spooled.</summary>
    private static bool Fallback(string home, string agent, byte[] input, string? spooled, HookLog log)
    {
        var (file, prefix) = NativeLayout.ManagedCli();
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardInput = true };
        foreach (var arg in prefix) start.ArgumentList.Add(arg);
        foreach (var arg in new[] { "hook", agent, "session-start" }) start.ArgumentList.Add(arg);
        start.Environment["ENGRAM_HOME"] = home;
        if (spooled is not null) start.Environment["ENGRAM_HOOK_SPOOLED"] = spooled;
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
            var (file, prefix) = NativeLayout.ManagedCli();
            if (WorkerStart.UnlessRunning(home, file, [.. prefix, "worker"])) log.Info("worker", "started the background worker");
        }
        catch (Exception ex)
        {
            log.Error("worker", $"could not start the background worker: {ex.Message}");
        }
    }
}
