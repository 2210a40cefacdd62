using System.Diagnostics;
using Engram.Agents.Capture;
using Engram.Hosting;

namespace Engram.Cli;

/// <summary>
/// Single-instance background worker: it holds an exclusive lock on <c>$ENGRAM_HOME/worker.lock</c>
/// for as long as it lives. A hook that can take the lock knows no worker runs, releases it and
/// starts one, detached from the agent (own session, no inherited stdio) so it never holds the
/// agent's pipes open.
/// </summary>
internal static class WorkerLauncher
{
    public static string LockPath(EngramHome home) => Path.Combine(home.Root, "worker.lock");

    /// <summary>Takes the worker lock, or returns null when another process holds it.</summary>
    public static FileStream? TryAcquire(EngramHome home)
    {
        Engram.Core.OwnerOnly.CreateDirectory(home.Root);
        try
        {
            var options = Core.OwnerOnly.NewFile(FileMode.OpenOrCreate, FileAccess.ReadWrite);
            options.Share = FileShare.None;
            return new FileStream(LockPath(home), options);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static bool IsRunning(EngramHome home)
    {
        using var probe = TryAcquire(home);
        return probe is null;
    }

    /// <summary>Starts <c>engram worker</c> unless one is running. Never throws.</summary>
    public static void EnsureRunning(EngramHome home, HookLog log)
    {
        try
        {
            if (Environment.GetEnvironmentVariable("ENGRAM_NO_WORKER") is "1" or "true") return;
            if (IsRunning(home)) return;
            var (file, prefix) = SelfCommand();
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
            foreach (var arg in prefix) start.ArgumentList.Add(arg);
            start.ArgumentList.Add("worker");
            start.Environment[EngramHome.EnvironmentVariable] = home.Root;
            using var shell = Process.Start(start);
            shell?.WaitForExit(2000);
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
