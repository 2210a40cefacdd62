namespace Engram.Agents.Worker;

/// <summary>
/// The single-instance worker's lock: the worker holds an exclusive lock on <c>$ENGRAM_HOME/worker.lock</c>
/// for as long as it lives. A process that can take the lock knows no worker runs (<see cref="WorkerStart"/>
/// starts one). Compiled into the native hook too: base library only.
/// </summary>
public static class WorkerLock
{
    public static string PathIn(string homeRoot) => Path.Combine(homeRoot, "worker.lock");

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
