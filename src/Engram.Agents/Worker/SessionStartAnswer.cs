using Engram.Agents.Adapters;
using Engram.Agents.Capture;
using Engram.Agents.Pipeline;
using Engram.Core.Model;

namespace Engram.Agents.Worker;

/// <summary>
/// The answer to a session-start event, whichever way it came (the command hook, or the hook endpoint of a server):
/// the context for the session's folder as the agent's SessionStart JSON (<see cref="SessionStartOutput"/>), with
/// the memories it holds recorded as given to that session. The command hook first finishes processing what earlier
/// sessions left in the spool, within a budget, so the last summary exists; a complete answer is then kept ready in the
/// <see cref="ContextCache"/>, so the next session start in this project can be answered by the native hook alone.
/// </summary>
public static class SessionStartAnswer
{
    /// <summary>Builds the answer; empty when there is nothing to say.</summary>
    /// <param name="eventId">The id of this session-start event in the spool: the id of the injection record.</param>
    /// <param name="source">Who answers, as recorded: <see cref="ContextInjections.SessionStartSource"/> or <see cref="ContextInjections.HttpHookSource"/>.</param>
    /// <param name="drainBudget">How long to process the spool first; null not to.</param>
    /// <param name="deliver">Given the answer before it is recorded: a writer in another process may hold the store's lock
    /// for longer than the agent waits, and the agent must have its context even when the record waits or fails.</param>
    public static async Task<byte[]> BuildAsync(AgentServices agents, HookPayload? payload, string? eventId, string source, TimeSpan? drainBudget,
        CancellationToken cancellationToken, Action<byte[]>? deliver = null)
    {
        var log = agents.Log;
        // Every agent that answers session-start sends its working directory as cwd.
        var cwd = payload?.Cwd is { Length: > 0 } c && Directory.Exists(c) ? c : Environment.CurrentDirectory;
        var complete = false;
        if (drainBudget is { } budget)
        {
            // The drain writes, and a writer in another process may hold the lock for longer than the whole
            // budget (SQLite's busy wait cannot be cancelled): past the budget the context is read without it.
            var drain = Task.Run(() => agents.Runner().DrainAsync(budget, cancellationToken), cancellationToken);
            var finished = await Task.WhenAny(drain, Task.Delay(budget + TimeSpan.FromMilliseconds(300), agents.Time, cancellationToken)) == drain;
            _ = drain.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            if (!finished) log.Info("session-start", "the store stayed busy; the context is built from what was already processed");
            else if (drain.IsFaulted) log.Error("session-start", $"processing before the context failed ({drain.Exception!.GetBaseException().Message}); the context is built from what was already processed");
            else if (drain.IsCompletedSuccessfully && drain.Result.BudgetExhausted) log.Info("session-start", $"processed {drain.Result.Processed} event(s); the rest is left to the worker");
            complete = drain.IsCompletedSuccessfully && !drain.Result.BudgetExhausted;
        }
        var project = ProjectIdentity.Resolve(cwd);
        var context = await agents.BuildContextAsync(cwd, null, cancellationToken);
        var output = SessionStartOutput.Render(context.Text);
        // Only a complete drain gives an answer worth keeping for the native hook.
        if (complete) KeepReady(new ContextCache(agents.HomeRoot), project.Key, cwd, output, context);
        deliver?.Invoke(output);
        if (output.Length > 0 && eventId is not null)
        {
            await new ContextInjections(agents.Store.Injections).RecordAsync(context, MemoryScope.DefaultTenant, payload?.SessionId, eventId,
                project.Key, source, agents.Time.GetUtcNow(), cancellationToken);
        }
        return output;
    }

    /// <summary>Keeps a context ready for the native hook, with the list of its memories beside it (written first).</summary>
    public static void KeepReady(ContextCache cache, string projectKey, string cwd, byte[] output, SessionContext context)
    {
        ContextInjections.WriteReady(cache, projectKey, output, context);
        cache.Write(projectKey, cwd, output, context.WatchedFiles);
    }
}
