using System.Diagnostics;

namespace Engram.Agents.Worker;

/// <summary>
/// The single-instance worker's lock: the worker holds an exclusive lock on <c>$ENGRAM_HOME/worker.lock</c>
/// for as long as it lives. A process that can take the lock knows no worker runs. Starting one detaches
/// it from the agent (own session, stdio on /dev/null) so it never holds the agent's pipes open.
/// Compiled into the native hook too: base library only.
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

    /// <summary>Runs <paramref name="file"/> <paramref name="arguments"/> detached, and returns once it is launched.</summary>
    public static void StartDetached(string homeRoot, string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // setsid detaches from the agent's process group; all stdio goes to /dev/null.
        var setsid = File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid " : "";
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"{setsid}\"$@\" </dev/null >/dev/null 2>&1 &");
        start.ArgumentList.Add("engram-worker");
        start.ArgumentList.Add(file);
        foreach (var arg in arguments) start.ArgumentList.Add(arg);
        start.Environment["ENGRAM_HOME"] = homeRoot;
        using var shell = Process.Start(start);
        shell?.WaitForExit(2000);
    }
}
