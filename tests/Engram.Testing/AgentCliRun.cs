using System.Diagnostics;
using System.Text;

namespace Engram.Testing;

/// <summary>The outcome of one headless agent CLI session; Started and Ended are <see cref="Stopwatch.GetTimestamp"/> values.</summary>
public sealed record AgentCliResult(int ExitCode, string Stdout, string Stderr, long Started, long Ended)
{
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(Started, Ended);
}

/// <summary>
/// Runs a real agent CLI in an isolated HOME: nothing of the developer's setup leaks in (keys, config folders,
/// Engram settings), and everything but the fake model on 127.0.0.1 goes to a closed proxy port, so the CLI
/// never reaches the internet.
/// </summary>
public static class AgentCliRun
{
    public static async Task<AgentCliResult> RunAsync(string executable, IEnumerable<string> arguments, string workingDirectory,
        string home, IEnumerable<KeyValuePair<string, string>> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var name in start.Environment.Keys.Where(IsPersonal).ToList()) start.Environment.Remove(name);
        start.Environment["HOME"] = home;
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(home, ".config");
        start.Environment["XDG_CACHE_HOME"] = Path.Combine(home, ".cache");
        start.Environment["XDG_DATA_HOME"] = Path.Combine(home, ".local", "share");
        start.Environment["HTTPS_PROXY"] = start.Environment["HTTP_PROXY"] = "http://127.0.0.1:9";
        start.Environment["NO_PROXY"] = "127.0.0.1,localhost";
        foreach (var (key, value) in environment) start.Environment[key] = value;

        var started = Stopwatch.GetTimestamp();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Close();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(executable)} did not finish within {timeout.TotalSeconds:0} s: {await stderr}");
        }
        var ended = Stopwatch.GetTimestamp();
        return new AgentCliResult(process.ExitCode, await stdout, await stderr, started, ended);
    }

    private static bool IsPersonal(string name) =>
        name.StartsWith("ENGRAM_", StringComparison.Ordinal) || name.StartsWith("ANTHROPIC_", StringComparison.Ordinal)
        || name.StartsWith("CLAUDE_", StringComparison.Ordinal) || name.StartsWith("OPENAI_", StringComparison.Ordinal)
        || name.StartsWith("CODEX_", StringComparison.Ordinal) || name.StartsWith("GEMINI_", StringComparison.Ordinal)
        || name.StartsWith("GOOGLE_", StringComparison.Ordinal) || name.EndsWith("_PROXY", StringComparison.OrdinalIgnoreCase);
}
