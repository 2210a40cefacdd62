using Engram.Agents.Capture;

namespace Engram.Agents.Worker;

/// <summary>
/// The worker's pause between passes, cut short when an event lands in the spool: the operating system tells the
/// worker (inotify on Linux), so the hook that wrote the event does nothing more than before. A session-start hook
/// waiting for the context to catch up then waits for one drain, not for the rest of a pause. Where no watch can be
/// set (or the system drops its notices), the pause is the half-second poll it always was.
/// </summary>
internal sealed class SpoolWake : IDisposable
{
    private readonly FileSystemWatcher? _watcher;
    private readonly SemaphoreSlim _landed = new(0, 1);

    public SpoolWake(string spoolFolder, HookLog log)
    {
        try
        {
            Core.OwnerOnly.CreateDirectory(spoolFolder);
            _watcher = new FileSystemWatcher(spoolFolder) { NotifyFilter = NotifyFilters.FileName, IncludeSubdirectories = false };
            // Spool files are written beside their name and renamed into place (or released from being held).
            _watcher.Renamed += (_, e) => OnLanded(e.Name);
            _watcher.Created += (_, e) => OnLanded(e.Name);
            // Notices lost (the kernel's queue overflowed): a pass finds whatever landed.
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

    private void OnLanded(string? name)
    {
        if (name is not null && name.EndsWith(".event.json", StringComparison.Ordinal)) Wake();
    }

    private void Wake()
    {
        try
        {
            _landed.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake-up is already due.
        }
    }

    /// <summary>Waits for <paramref name="pause"/>, or less when an event landed since the last pause.</summary>
    public async Task PauseAsync(TimeSpan pause, TimeProvider time, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAny(Task.Delay(pause, time, stop.Token), _landed.WaitAsync(stop.Token));
        await stop.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _landed.Dispose();
    }
}
