using System.Diagnostics;

namespace Engram.Cli;

/// <summary>
/// Starts the worker detached from the agent (own session, stdio on /dev/null), so it never holds the agent's
/// pipes open. Kept apart from <see cref="Engram.Agents.Worker.WorkerLock"/> and out of Engram.Agents: the library that capture
/// loads on every tool call never references the process APIs. Compiled into the CLI and the native hook.
/// </summary>
internal static class WorkerStart
{
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
