using Engram.Agents.Adapters;
using Engram.Agents.Capture;
using Engram.Hosting;

namespace Engram.Cli;

/// <summary>
/// <c>engram hook AGENT EVENT</c>: called by the agent on every event, with the event JSON on stdin.
/// The capture path does as little as possible: read, write one spool file, make sure a worker runs.
/// Parsing and the privacy filter run in the worker, before anything reaches the database. No settings, no database, no git process. It always exits 0 and prints
/// nothing except, for session-start, the context it injects; errors go to the log.
/// </summary>
internal static class HookCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        // Inside Engram's own model call (claude -p): capturing it would recurse.
        if (Environment.GetEnvironmentVariable("ENGRAM_INSIDE_MODEL_CALL") == "1") return 0;
        EngramHome home;
        try
        {
            home = EngramHome.Resolve();
        }
        catch (Exception)
        {
            return 0;
        }
        var log = HookLog.ForHome(home.Root);
        try
        {
            if (args.Length < 3 || AgentRegistry.Resolve(args[1], args[2]) is null)
            {
                log.Error("hook", $"ignored 'engram {string.Join(' ', args)}': expected engram hook AGENT EVENT, one of {AgentRegistry.Describe()}");
                return 0;
            }
            var agent = args[1];
            var eventName = args[2];
            var timing = Environment.GetEnvironmentVariable("ENGRAM_HOOK_TIMING") is "1" ? new HookTiming() : null;
            // The native hook already spooled this event (it passes the event's id) and asks only for the session-start context.
            // (An older native hook passes "1": spooled, id unknown, so its context goes unrecorded.)
            // Otherwise the payload is spooled unparsed: the worker checks and filters it (a malformed event is logged and set aside there).
            var given = Environment.GetEnvironmentVariable("ENGRAM_HOOK_SPOOLED");
            var spool = string.IsNullOrEmpty(given) ? Spool.ForHome(home.Root) : null;
            var captured = HookInput.ReadAndSpool(agent, eventName, spool, log);
            var payload = captured.Usable;
            var spooledId = given is { Length: > 1 } ? given : captured.SpooledId;
            timing?.Mark("read and spool");

            if (eventName == IAgentAdapter.SessionStartEvent)
            {
                await SessionStart.WriteContextAsync(home, payload, spooledId, log);
            }
            WorkerLauncher.EnsureRunning(home, log);
            timing?.Mark("worker");
            timing?.Report();
        }
        catch (Exception ex)
        {
            log.Error("hook", $"{string.Join(' ', args)}: {ex.GetType().Name}: {ex.Message}");
        }
        return 0;
    }

    /// <summary>Stage times for ENGRAM_HOOK_TIMING=1 (diagnosis of hook cost), written to stderr at the end.</summary>
    private sealed class HookTiming
    {
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private readonly List<string> _marks = [];

        public void Mark(string stage) => _marks.Add($"{stage} {_clock.Elapsed.TotalMilliseconds:0.0}ms");

        public void Report() => Console.Error.WriteLine($"engram hook: since main {string.Join(", ", _marks)}; process alive {(TimeProvider.System.GetUtcNow().UtcDateTime - System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime()).TotalMilliseconds:0}ms");
    }

    public static string SpoolFolder(EngramHome home) => Path.Combine(home.Root, "spool");
}
