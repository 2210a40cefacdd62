using Engram.Agents.Worker;
using Microsoft.Extensions.Hosting;

namespace Engram.Hosting;

/// <summary>
/// The background worker inside a host (<c>engram serve</c>, or an app that called <c>AddWorker()</c>): the
/// <see cref="WorkerLoop"/> of <c>engram worker</c>, under the same single-instance lock, but it never exits for
/// idleness. While another worker holds the lock, it waits and takes over once that one exits. On shutdown the drain
/// in flight is cancelled; its leased events go back to the queue when their lease runs out, so nothing is lost.
/// </summary>
public sealed class EngramWorkerService(AgentServices agents, Func<IWorkerCompanion?>? companion = null) : BackgroundService
{
    private static readonly TimeSpan LockRetry = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var log = agents.Log;
        FileStream? held = null;
        try
        {
            while ((held = WorkerLock.TryHold(agents.HomeRoot)) is null)
            {
                await Task.Delay(LockRetry, agents.Time, stoppingToken);
            }
            log.Info("serve", $"worker started in this host (pid {Environment.ProcessId})");
            await new WorkerLoop(agents).RunAsync(() => null, companion, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            if (held is not null)
            {
                log.Info("serve", "worker stopped");
                await held.DisposeAsync();
            }
        }
    }
}
