using Engram.Agents.Capture;
using Engram.Hosting;
using Microsoft.Extensions.Hosting;

namespace Engram.Cli;

/// <summary>
/// The background worker inside <c>engram serve</c>: the same drain loop as <c>engram worker</c>, under the
/// same single-instance lock, but it never exits for idleness. While a detached worker holds the lock, it
/// waits and takes over once that one exits. On shutdown the drain in flight is cancelled; its leased
/// events go back to the queue when their lease runs out, so nothing is lost.
/// </summary>
internal sealed class ServeWorker(EngramRuntime runtime) : BackgroundService
{
    private static readonly TimeSpan LockRetry = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var home = runtime.Home;
        var log = HookLog.ForHome(home.Root);
        FileStream? held = null;
        try
        {
            while ((held = WorkerLauncher.TryAcquire(home)) is null)
            {
                await Task.Delay(LockRetry, runtime.Time, stoppingToken);
            }
            log.Info("serve", $"worker started in engram serve (pid {Environment.ProcessId})");
            await AgentCommands.RunWorkerLoopAsync(runtime, log, () => null, stoppingToken);
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
