using System.Diagnostics;

namespace Engram.Cli.Tests;

/// <summary>The detached <c>engram worker</c> processes of one Engram home, found through /proc (Linux).</summary>
public static class WorkerProcesses
{
    /// <summary>The worker processes whose environment holds <c>ENGRAM_HOME=<paramref name="home"/></c>.</summary>
    public static List<int> Of(string home)
    {
        var pids = new List<int>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid)) continue;
            try
            {
                var command = File.ReadAllText(Path.Combine(folder, "cmdline")).Split('\0');
                var environment = File.ReadAllText(Path.Combine(folder, "environ")).Split('\0');
                if (command.Contains("worker") && environment.Contains($"ENGRAM_HOME={home}")) pids.Add(pid);
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
            catch (UnauthorizedAccessException)
            {
                // Another user's process.
            }
        }
        return pids;
    }

    public static void Kill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
