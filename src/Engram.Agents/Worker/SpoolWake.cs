using Engram.Agents.Capture;

namespace Engram.Agents.Worker;

/// <summary>
/// The worker's pause between passes, cut short when a hook asks (<see cref="Spool.WakeWorker"/>): the operating
/// system tells the worker (inotify on Linux) that the hook created its wake-up file. A session-start hook waiting
/// for the context to catch up then waits for one drain, not for the rest of a pause. Events landing do not wake
/// it: measured in real sessions, a worker draining at once for each event worked on the agent's cores in the middle
/// of the session and made it slower. Where no watch can be set, the pause is the half-second poll it always was.
/// </summary>
internal sealed class SpoolWake : IDisposable
{
    private readonly FileSystemWatcher? _watcher;
    private readonly SemaphoreSlim _asked = new(0, 1);

    public SpoolWake(string spoolFolder, HookLog log)
    {
        try
        {
            Core.OwnerOnly.CreateDirectory(spoolFolder);
            _watcher = new FileSystemWatcher(spoolFolder) { NotifyFilter = NotifyFilters.FileName, IncludeSubdirectories = false };
            _watcher.Created += (_, e) => OnCreated(e.Name);
            // Notices lost (the kernel's queue overflowed): a pass finds whatever is waiting.
            _watcher.Error += (_, _) => Wake();
            _watcher.EnableRaisingEvents = true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException or ArgumentException)
        {
            _watcher?.Dispose();
            _watcher = null;
            log.Info("worker", $"cannot watch {spoolFolder} ({ex.Message}); the spool is polled every half second");
        }
    }

    private void OnCreated(string? name)
    {
        if (name is not null && name.StartsWith(Spool.WakePrefix, StringComparison.Ordinal)) Wake();
    }

    private void Wake()
    {
        try
        {
            _asked.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake-up is already due.
        }
    }

    /// <summary>Waits for <paramref name="pause"/>, or less when a hook asked for a pass since the last pause; true when one asked.</summary>
    public async Task<bool> PauseAsync(TimeSpan pause, TimeProvider time, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var asked = _asked.WaitAsync(stop.Token);
        await Task.WhenAny(Task.Delay(pause, time, stop.Token), asked);
        await stop.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            // Also when the pause ran out at the same moment: a request taken from the semaphore is never dropped.
            await asked;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _asked.Dispose();
    }
}
