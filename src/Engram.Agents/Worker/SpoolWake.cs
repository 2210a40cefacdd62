using Engram.Agents.Capture;

namespace Engram.Agents.Worker;

/// <summary>
/// The worker's pause between passes, cut short when a hook asks (<see cref="Spool.WakeWorker"/>): the hook leaves a
/// wake-up file, which the operating system reports at once (inotify on Linux) and the worker removes. A session-start
/// hook waiting for the context to catch up then waits for one drain, not for the rest of a pause. Events landing do
/// not wake it: measured in real sessions, a worker draining at once for each event worked on the agent's cores in
/// the middle of the session and made it slower. Where no watch can be set (a user has 128 inotify instances by
/// default, and every .NET file watcher of every process takes one), the pause looks for wake-up files every 50 ms.
/// </summary>
internal sealed class SpoolWake : IDisposable
{
    private static readonly TimeSpan LookEvery = TimeSpan.FromMilliseconds(50);
    private readonly string _folder;
    private readonly FileSystemWatcher? _watcher;
    private readonly SemaphoreSlim _asked = new(0, 1);

    /// <param name="watch">False to do without the watch, as when the system has no inotify instance left (tests).</param>
    public SpoolWake(string spoolFolder, HookLog log, bool watch = true)
    {
        _folder = spoolFolder;
        try
        {
            Core.OwnerOnly.CreateDirectory(spoolFolder);
            if (!watch) return;
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
            log.Info("worker", $"cannot watch {spoolFolder} ({ex.Message}); waiting hooks are looked for every 50 ms");
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

    /// <summary>Waits for <paramref name="pause"/>, or less when a hook asked for a pass since the last pause.</summary>
    public async Task PauseAsync(TimeSpan pause, TimeProvider time, CancellationToken cancellationToken)
    {
        if (_watcher is null)
        {
            await LookAsync(pause, time, cancellationToken);
            return;
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Task.WhenAny(Task.Delay(pause, time, stop.Token), _asked.WaitAsync(stop.Token));
        await stop.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        TakeWakeFiles();
    }

    /// <summary>The pause without a watch: looks for wake-up files every <see cref="LookEvery"/>.</summary>
    private async Task LookAsync(TimeSpan pause, TimeProvider time, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + pause;
        while (!TakeWakeFiles())
        {
            var left = until - time.GetUtcNow();
            if (left <= TimeSpan.Zero) return;
            await Task.Delay(left < LookEvery ? left : LookEvery, time, cancellationToken);
        }
    }

    /// <summary>Removes the hooks' wake-up files; true when there was one.</summary>
    private bool TakeWakeFiles()
    {
        var any = false;
        try
        {
            foreach (var file in Directory.EnumerateFiles(_folder, Spool.WakePrefix + "*"))
            {
                any = true;
                try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The spool folder went away: nobody can be waiting in it.
        }
        return any;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _asked.Dispose();
    }
}
