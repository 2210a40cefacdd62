using Engram.Agents.Capture;
using Engram.Agents.Worker;
using Engram.Hosting;

namespace Engram.Cli;

/// <summary>
/// Starts the single-instance background worker (<c>engram worker</c>) when none runs. The lock protocol
/// is <see cref="WorkerLock"/>, shared with the native hook.
/// </summary>
internal static class WorkerLauncher
{
    public static string LockPath(EngramHome home) => WorkerLock.PathIn(home.Root);

    /// <summary>The worker's lock (and its start claim withdrawn), or null when another process holds it.</summary>
    public static FileStream? TryHold(EngramHome home) => WorkerLock.TryHold(home.Root);

    public static bool IsRunning(EngramHome home) => WorkerLock.IsRunning(home.Root);

    /// <summary>Starts <c>engram worker</c> (with <c>--warm-up</c> when <paramref name="warmUp"/>) unless one is running or starting. Never throws.</summary>
    public static void EnsureRunning(EngramHome home, HookLog log, bool warmUp = false)
    {
        try
        {
            var (file, prefix) = SelfCommand();
            string[] worker = warmUp ? ["worker", "--warm-up"] : ["worker"];
            if (WorkerStart.UnlessRunning(home.Root, file, [.. prefix, .. worker])) log.Info("worker", "started the background worker");
        }
        catch (Exception ex)
        {
            log.Error("worker", $"could not start the background worker: {ex.Message}");
        }
    }

    /// <summary>How to run this same engram again: the apphost, or dotnet with engram.dll.</summary>
    internal static (string File, string[] Prefix) SelfCommand()
    {
        var process = Environment.ProcessPath ?? "engram";
        var name = Path.GetFileNameWithoutExtension(process);
        return name.Equals("dotnet", StringComparison.OrdinalIgnoreCase)
            ? (process, [typeof(WorkerLauncher).Assembly.Location])
            : (process, []);
    }
}
