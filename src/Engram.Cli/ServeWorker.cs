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
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);
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
                await Task.Delay(LockRetry, stoppingToken);
            }
            log.Info("serve", $"worker started in engram serve (pid {Environment.ProcessId})");
            var runner = AgentRuntime.Runner(runtime);
            var spool = Spool.ForHome(home.Root);
            using var timer = new PeriodicTimer(Tick);
            do
            {
                try
                {
                    await runner.DrainAsync(null, stoppingToken);
                    spool.CleanLeftovers(DateTimeOffset.UtcNow);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    log.Error("serve", $"{ex.GetType().Name}: {ex.Message}");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
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
