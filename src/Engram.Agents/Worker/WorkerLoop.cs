using Engram.Agents.Capture;

namespace Engram.Agents.Worker;

/// <summary>
/// Something that runs beside the worker's drain loop while the worker holds its lock (the CLI's command socket,
/// which answers one-shot commands on the worker's open store). While it is busy the worker does not count itself idle.
/// </summary>
public interface IWorkerCompanion : IAsyncDisposable
{
    /// <summary>When it last did work.</summary>
    DateTimeOffset LastActive { get; }
}

/// <summary>
/// The background worker's drain loop, the same under <c>engram worker</c>, <c>engram serve</c> and any app that hosts
/// Engram: ingest and process captured events, rebuild the session-start contexts they changed and give new memories
/// their vectors, every half second or as soon as a waiting hook asks (<see cref="SpoolWake"/>). The caller holds the
/// <see cref="WorkerLock"/>.
/// </summary>
public sealed class WorkerLoop(AgentServices agents)
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Runs until <paramref name="idleLimit"/> passes without work (never, when it gives null) or the token is cancelled.
    /// </summary>
    /// <param name="companion">Started once the loop runs; disposed when it ends; may be null.</param>
    public async Task RunAsync(Func<TimeSpan?> idleLimit, Func<IWorkerCompanion?>? companion, CancellationToken cancellationToken)
    {
        var log = agents.Log;
        var runner = agents.Runner();
        var spool = agents.Spool;
        var contexts = new ContextRefresher(agents, log);
        var time = agents.Time;
        var idleSince = time.GetUtcNow();
        var embedder = new BackgroundEmbedder(agents.Memory, log, "worker");
        using var wake = new SpoolWake(spool.Folder, log);
        await using var beside = companion?.Invoke();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // While events move from the spool to memories, the ready contexts may be behind: the
                // native hook then builds the context the slow way.
                if (spool.Count() > 0) contexts.Cache.MarkBusy();
                var result = await runner.DrainAsync(null, cancellationToken);
                if (result.Ingested + result.Processed > 0) idleSince = time.GetUtcNow();
                foreach (var folder in runner.TakeContextFileFolders()) contexts.Track(folder);
                await contexts.RefreshAsync(cancellationToken);
                // Cleared after every complete pass, so a marker left by a failed pass (or a killed worker) goes too.
                contexts.Cache.ClearBusy();
                spool.CleanLeftovers(time.GetUtcNow());
                // While memories wait for vectors, the worker is busy: no pause, no idle exit.
                if (await embedder.RunOnceAsync(cancellationToken) > 0)
                {
                    idleSince = time.GetUtcNow();
                    continue;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                log.Error("worker", $"{ex.GetType().Name}: {ex.Message}");
            }
            if (beside is not null && beside.LastActive > idleSince) idleSince = beside.LastActive;
            if (idleLimit() is { } limit && time.GetUtcNow() - idleSince > limit) break;
            try
            {
                await wake.PauseAsync(Pause, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }
}
