namespace Engram.Agents.Worker;

/// <summary>
/// The single-instance worker's lock: the worker holds an exclusive lock on <c>$ENGRAM_HOME/worker.lock</c>
/// for as long as it lives. A process that can take the lock knows no worker runs (<see cref="WorkerStart"/>
/// starts one). Compiled into the native hook too: base library only.
/// </summary>
public static class WorkerLock
{
    /// <summary>How long a claim to start the worker keeps other hooks from starting one too.</summary>
    public static readonly TimeSpan StartClaimLifetime = TimeSpan.FromSeconds(10);

    public static string PathIn(string homeRoot) => Path.Combine(homeRoot, "worker.lock");

    /// <summary>
    /// The file the process that starts a worker leaves until the worker holds its lock. A worker takes a few
    /// hundred milliseconds to get there, and an agent fires hooks faster than that: without the claim each of
    /// them found no worker and started another .NET process beside the agent.
    /// </summary>
    public static string StartClaimPathIn(string homeRoot) => Path.Combine(homeRoot, "worker.starting");

    /// <summary>
    /// True when the caller should start the worker: no claim is pending, or the last one is older than
    /// <see cref="StartClaimLifetime"/> (its worker never came up, so a later hook tries again).
    /// </summary>
    public static bool TryClaimStart(string homeRoot, DateTimeOffset now)
    {
        var path = StartClaimPathIn(homeRoot);
        try
        {
            Engram.Core.OwnerOnly.CreateDirectory(homeRoot);
            using (new FileStream(path, Engram.Core.OwnerOnly.NewFile(FileMode.CreateNew, FileAccess.Write))) { }
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            if (now - File.GetLastWriteTimeUtc(path) < StartClaimLifetime) return false;
            Restamp(path, now); // two stale claims racing both start one: the lock keeps one
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return true; // no claim can be written (a full disk): start the worker as if there were none
        }
    }

    private static void Restamp(string path, DateTimeOffset now)
    {
        try { File.SetLastWriteTimeUtc(path, now.UtcDateTime); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>The worker's own acquisition: takes the lock and withdraws the start claim, so the next start is not held off.</summary>
    public static FileStream? TryHold(string homeRoot)
    {
        var held = TryAcquire(homeRoot);
        if (held is not null)
        {
            try { File.Delete(StartClaimPathIn(homeRoot)); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        return held;
    }

    /// <summary>Takes the worker lock, or returns null when another process holds it.</summary>
    public static FileStream? TryAcquire(string homeRoot)
    {
        Engram.Core.OwnerOnly.CreateDirectory(homeRoot);
        try
        {
            var options = Engram.Core.OwnerOnly.NewFile(FileMode.OpenOrCreate, FileAccess.ReadWrite);
            options.Share = FileShare.None;
            return new FileStream(PathIn(homeRoot), options);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static bool IsRunning(string homeRoot)
    {
        using var probe = TryAcquire(homeRoot);
        return probe is null;
    }
}
