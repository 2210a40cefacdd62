using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>
/// <c>engram stats</c> per project, through the real engram process: what the session-start contexts gave, and how
/// much of it the next session fetched (<c>engram get</c>) and acted on (an edit of the file a memory is about).
/// </summary>
public sealed partial class StatsTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly EngramProcess _engram;
    private readonly string _repo;

    public StatsTests()
    {
        _engram = new EngramProcess(_folder.File("home"));
        _engram.Environment["ENGRAM_NO_WORKER"] = "1"; // the test drives processing itself
        _repo = Directory.CreateDirectory(Path.Combine(_folder.Path, "shop", "src")).Parent!.FullName;
        var git = Process.Start(new ProcessStartInfo("git", ["init", "-q"]) { WorkingDirectory = _repo })!;
        git.WaitForExit();
        File.WriteAllText(Path.Combine(_repo, "src", "Cart.cs"), "return Math.Round(total, 2);\n");
    }

    public void Dispose() => _folder.Dispose();

    private async Task<string> RunAsync(string? input, params string[] args)
    {
        var result = await _engram.RunWithInputAsync(input, args);
        Assert.True(result.ExitCode == 0, $"engram {string.Join(' ', args)}: {result.Stderr}");
        return result.Stdout;
    }

    [Fact]
    public async Task Stats_show_per_project_what_was_injected_and_what_the_next_session_fetched_and_acted_on()
    {
        var first = new ClaudeCodeSession("stats-1", _repo);
        await RunAsync(first.SessionStart(), "hook", "claude-code", "session-start");
        await RunAsync(first.Read("src/Cart.cs", "return Math.Round(total, 2);"), "hook", "claude-code", "post-tool-use");
        await RunAsync(first.Edit("src/Cart.cs", "return Math.Round(total, 2);", "return Math.Round(total, 2, MidpointRounding.ToEven);"), "hook", "claude-code", "post-tool-use");
        await RunAsync(first.Stop("Cart totals now round half-even."), "hook", "claude-code", "stop");
        await RunAsync(null, "process");

        // The next session is given the Cart work, fetches one memory by id and edits the same file.
        var second = new ClaudeCodeSession("stats-2", _repo);
        var context = await RunAsync(second.SessionStart(), "hook", "claude-code", "session-start");
        var ids = IdPattern().Matches(context).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.NotEmpty(ids);
        await RunAsync(null, "get", ids[0]);
        await RunAsync(second.Edit("src/Cart.cs", "MidpointRounding.ToEven", "MidpointRounding.AwayFromZero"), "hook", "claude-code", "post-tool-use");
        await RunAsync(null, "process");

        using var stats = JsonDocument.Parse(await RunAsync(null, "stats", "--json"));
        var project = stats.RootElement.GetProperty("projects").EnumerateArray().Single(p => p.GetProperty("injections").GetInt64() > 0);
        var injections = project.GetProperty("injections").GetInt64();
        Assert.Equal(ids.Count, injections);
        Assert.Equal(1, project.GetProperty("fetched").GetInt64());
        Assert.InRange(project.GetProperty("acted_on").GetInt64(), 1, injections);
        Assert.True(project.GetProperty("tokens_injected").GetInt64() > 0);
        Assert.Equal(1, project.GetProperty("sessions").GetInt64());
        Assert.True(project.GetProperty("memories_by_kind").GetProperty("observation").GetInt64() > 0);
        Assert.Equal(Math.Round((double)project.GetProperty("used").GetInt64() / injections, 3), project.GetProperty("use_rate").GetDouble());

        var text = await RunAsync(null, "stats");
        Assert.Matches(@"injected \d+ times \(\d+ memories, 1 sessions, \d+ tokens\); fetched 1 \(", text);
    }

    [GeneratedRegex(@"\[([0-9A-Z]{26})\]")]
    private static partial Regex IdPattern();
}
