using System.Diagnostics;

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
        var start = ChildProcess.StartInfo(executable, arguments);
        start.WorkingDirectory = workingDirectory;
        foreach (var name in start.Environment.Keys.Where(IsPersonal).ToList()) start.Environment.Remove(name);
        start.Environment["HOME"] = home;
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(home, ".config");
        start.Environment["XDG_CACHE_HOME"] = Path.Combine(home, ".cache");
        start.Environment["XDG_DATA_HOME"] = Path.Combine(home, ".local", "share");
        start.Environment["HTTPS_PROXY"] = start.Environment["HTTP_PROXY"] = "http://127.0.0.1:9";
        start.Environment["NO_PROXY"] = "127.0.0.1,localhost";
        foreach (var (key, value) in environment) start.Environment[key] = value;

        var started = Stopwatch.GetTimestamp();
        var result = await ChildProcess.RunAsync(start, null, timeout);
        return new AgentCliResult(result.ExitCode, result.Stdout, result.Stderr, started, Stopwatch.GetTimestamp());
    }

    private static bool IsPersonal(string name) =>
        name.StartsWith("ENGRAM_", StringComparison.Ordinal) || name.StartsWith("ANTHROPIC_", StringComparison.Ordinal)
        || name.StartsWith("CLAUDE_", StringComparison.Ordinal) || name.StartsWith("OPENAI_", StringComparison.Ordinal)
        || name.StartsWith("CODEX_", StringComparison.Ordinal) || name.StartsWith("GEMINI_", StringComparison.Ordinal)
        || name.StartsWith("GOOGLE_", StringComparison.Ordinal) || name.EndsWith("_PROXY", StringComparison.OrdinalIgnoreCase);
}
