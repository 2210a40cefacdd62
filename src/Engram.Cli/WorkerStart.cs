using System.Diagnostics;

namespace Engram.Cli;

/// <summary>
/// Starts the worker detached from the agent (own session, stdio on /dev/null, no other inherited file), so it
/// never holds the agent's pipes or its caller's locks open. Kept apart from <see cref="Engram.Agents.Worker.WorkerLock"/> and out of Engram.Agents: the library that capture
/// loads on every tool call never references the process APIs. Compiled into the CLI and the native hook.
/// </summary>
internal static class WorkerStart
{
    /// <summary>How much lower than its starter's the worker's CPU priority is (nice).</summary>
    public const int WorkerNiceness = 10;

    /// <summary>
    /// Starts the worker (<paramref name="file"/> <paramref name="arguments"/>) detached unless one runs, another
    /// process is already starting one (<see cref="Engram.Agents.Worker.WorkerLock.TryClaimStart"/>), or
    /// ENGRAM_NO_WORKER is set. Returns whether it started one.
    /// </summary>
    public static bool UnlessRunning(string homeRoot, string file, IEnumerable<string> arguments)
    {
        if (Environment.GetEnvironmentVariable("ENGRAM_NO_WORKER") is "1" or "true") return false;
        if (Engram.Agents.Worker.WorkerLock.IsRunning(homeRoot)) return false;
        if (!Engram.Agents.Worker.WorkerLock.TryClaimStart(homeRoot, TimeProvider.System.GetUtcNow())) return false;
        Detached(homeRoot, file, arguments);
        return true;
    }

    /// <summary>Runs <paramref name="file"/> <paramref name="arguments"/> detached, and returns once it is launched.</summary>
    public static void Detached(string homeRoot, string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // setsid detaches from the agent's process group; all stdio goes to /dev/null. The worker's work can wait:
        // at a lower priority it leaves the cores to the agent it captures (on 2 cores it ran beside the agent's CLI).
        var setsid = File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid " : "";
        var nice = File.Exists("/usr/bin/nice") ? $"/usr/bin/nice -n {WorkerNiceness} " : "";
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add($"{setsid}{nice}\"$@\" </dev/null >/dev/null 2>&1 &");
        start.ArgumentList.Add("engram-worker");
        start.ArgumentList.Add(file);
        foreach (var arg in arguments) start.ArgumentList.Add(arg);
        start.Environment["ENGRAM_HOME"] = homeRoot;
        KeepInheritedFilesFromChildren();
        using var shell = Process.Start(start);
        shell?.WaitForExit(2000);
    }

    /// <summary>
    /// Marks every descriptor above stdio close-on-exec, so what this process inherited from its caller (a lock
    /// file flock holds, a pipe) never reaches the worker, which outlives it and would keep it open or locked.
    /// .NET opens its own files close-on-exec already; the inherited ones are the rest. Linux only.
    /// </summary>
    private static void KeepInheritedFilesFromChildren()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            if (CloseRange(3, uint.MaxValue, CloseRangeCloexec) == 0) return;
        }
        catch (EntryPointNotFoundException)
        {
            // A C library older than close_range (glibc 2.34): mark them one by one below.
        }
        catch (DllNotFoundException)
        {
            return; // No C library by that name: start the worker as before rather than not at all.
        }
        foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            if (int.TryParse(Path.GetFileName(entry), out var fd) && fd > 2) _ = Fcntl(fd, SetDescriptorFlags, DescriptorCloseOnExec);
        }
    }

    private const int CloseRangeCloexec = 4;
    private const int SetDescriptorFlags = 2;
    private const int DescriptorCloseOnExec = 1;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "close_range")]
    private static extern int CloseRange(uint first, uint last, int flags);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "fcntl")]
    private static extern int Fcntl(int fd, int command, int argument);
}
