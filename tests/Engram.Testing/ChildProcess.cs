using System.Diagnostics;
using System.Text;

namespace Engram.Testing;

/// <summary>What a program run by <see cref="ChildProcess"/> left: its exit code and everything it wrote.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);

/// <summary>
/// Runs a real program as its own process, as a user or an agent would: all three standard streams piped (UTF-8),
/// none of the developer's ENGRAM_* settings inherited, and killed with its children if it outlives its limit.
/// </summary>
public static class ChildProcess
{
    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ENGRAM_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }
        return start;
    }

    /// <summary>
    /// Starts <paramref name="start"/>, writes <paramref name="stdin"/> (if any) and closes it, and waits for the exit.
    /// Past <paramref name="limit"/> the process tree is killed and a <see cref="TimeoutException"/> names it.
    /// <paramref name="running"/> sees the process while it runs (to kill it from elsewhere).
    /// </summary>
    public static async Task<ProcessResult> RunAsync(ProcessStartInfo start, byte[]? stdin, TimeSpan limit, Action<Process, bool>? running = null)
    {
        using var process = Process.Start(start)!;
        running?.Invoke(process, true);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            try
            {
                if (stdin is not null) await process.StandardInput.BaseStream.WriteAsync(stdin);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The program stopped reading (it refused its arguments or input past its limit); its exit code tells the rest.
            }
            using var timeout = new CancellationTokenSource(limit);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{Path.GetFileName(start.FileName)} did not finish within {limit.TotalSeconds:0} s: {await stderr}");
            }
            return new ProcessResult(process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            running?.Invoke(process, false);
        }
    }
}
