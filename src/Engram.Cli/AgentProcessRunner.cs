using System.Diagnostics;
using Engram.Agents.Adapters;

namespace Engram.Cli;

/// <summary>Runs an agent's own CLI for install and doctor (<see cref="AgentProcess"/>), with a time limit; never on the hook path.</summary>
internal static class AgentProcessRunner
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(20);

    public static IReadOnlyList<string>? Run(string executable, IReadOnlyList<string> arguments, IReadOnlyList<string> input, Func<string, bool> isLast, string cwd)
    {
        var path = ShellWord.Find(executable);
        if (path is null) return null;
        var start = new ProcessStartInfo(path)
        {
            UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = Directory.Exists(cwd) ? cwd : Environment.CurrentDirectory,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        try
        {
            using var process = Process.Start(start);
            if (process is null) return null;
            process.ErrorDataReceived += static (_, _) => { }; // drained, never shown
            process.BeginErrorReadLine();
            try
            {
                foreach (var line in input) process.StandardInput.WriteLine(line);
                process.StandardInput.Flush();
                var lines = new List<string>();
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < Limit)
                {
                    var read = process.StandardOutput.ReadLineAsync();
                    if (!read.Wait(Limit - clock.Elapsed) || read.Result is not { } line) return null;
                    lines.Add(line);
                    if (isLast(line)) return lines;
                }
                return null;
            }
            finally
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return null;
        }
    }
}
