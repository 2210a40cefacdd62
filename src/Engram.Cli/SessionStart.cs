using System.Text.Json;
using Engram.Agents;
using Engram.Agents.Capture;
using Engram.Agents.Adapters;
using Engram.Agents.Pipeline;
using Engram.Hosting;

namespace Engram.Cli;

/// <summary>
/// The session-start hook's answer: first finish processing what earlier sessions left in the spool
/// (within a short budget, so the last summary exists), then print the context as the agent's
/// SessionStart JSON (which Codex and Gemini CLI read too). Any failure prints nothing: a session without memories beats a broken one.
/// The answer is also kept in the <see cref="ContextCache"/>, so the next session start in this project
/// can be answered by the native hook alone.
/// </summary>
internal static class SessionStart
{
    private static readonly TimeSpan ProcessingBudget = TimeSpan.FromSeconds(2.5);

    /// <param name="spooledId">The id of this session-start event in the spool: the id of the injection record.</param>
    public static async Task WriteContextAsync(EngramHome home, byte[]? rawPayload, string? spooledId, HookLog log)
    {
        try
        {
            var payload = rawPayload is null ? null : HookPayload.Parse(rawPayload);
            // Every agent that answers session-start sends its working directory as cwd.
            var cwd = payload?.Cwd is { Length: > 0 } c && Directory.Exists(c) ? c : Environment.CurrentDirectory;
            // Words only: the session-start budget has no room for loading the embedding model.
            await using var runtime = await EngramRuntime.OpenAsync(home, vectors: false);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(8));
            // The drain writes, and a writer in another process may hold the lock for longer than the whole
            // budget (SQLite's busy wait cannot be cancelled): past the budget the context is read without it.
            var drain = Task.Run(() => AgentRuntime.Runner(runtime).DrainAsync(ProcessingBudget, timeout.Token));
            var finished = await Task.WhenAny(drain, Task.Delay(ProcessingBudget + TimeSpan.FromMilliseconds(300), runtime.Time)) == drain;
            _ = drain.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            if (!finished) log.Info("session-start", "the store stayed busy; the context is built from what was already processed");
            else if (drain.IsFaulted) log.Error("session-start", $"processing before the context failed ({drain.Exception!.GetBaseException().Message}); the context is built from what was already processed");
            else if (drain.IsCompletedSuccessfully && drain.Result.BudgetExhausted) log.Info("session-start", $"processed {drain.Result.Processed} event(s); the rest is left to the worker");
            var project = ProjectIdentity.Resolve(cwd);
            var context = await AgentRuntime.ContextAsync(runtime, cwd, null, timeout.Token);
            var output = SessionStartOutput.Render(context.Text);
            // Only a complete drain gives an answer worth keeping for the native hook.
            if (drain.IsCompletedSuccessfully && !drain.Result.BudgetExhausted) KeepReady(new ContextCache(home.Root), project.Key, cwd, output, context);
            if (output.Length == 0) return;
            using (var stdout = Console.OpenStandardOutput()) stdout.Write(output);
            if (spooledId is not null)
            {
                await new ContextInjections(runtime.Store.Injections).RecordAsync(context, Core.Model.MemoryScope.DefaultTenant, payload?.SessionId, spooledId,
                    project.Key, ContextInjections.SessionStartSource, runtime.Time.GetUtcNow(), timeout.Token);
            }
        }
        catch (Exception ex)
        {
            log.Error("session-start", $"no context given: {ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>Keeps a context ready for the native hook, with the list of its memories beside it (written first).</summary>
    public static void KeepReady(ContextCache cache, string projectKey, string cwd, byte[] output, SessionContext context)
    {
        ContextInjections.WriteReady(cache, projectKey, output, context);
        cache.Write(projectKey, cwd, output, context.WatchedFiles);
    }
}
