using System.Diagnostics;
using System.Text.Json;
using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>Claude Code integration through the real engram process: capture, processing, context, privacy (failure modes in HookTests.FailureModes.cs).</summary>
public sealed partial class HookTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly EngramProcess _engram;

    public HookTests()
    {
        _engram = new EngramProcess(_folder.File("home"));
        _engram.Environment["ENGRAM_NO_WORKER"] = "1"; // tests drive processing themselves
    }

    public void Dispose() => _folder.Dispose();

    private string NewRepo(string parent, string name, string? remote)
    {
        var path = Path.Combine(_folder.Path, parent, name);
        Directory.CreateDirectory(Path.Combine(path, "src"));
        Git(path, "init", "-q");
        if (remote is not null) Git(path, "remote", "add", "origin", remote);
        return path;
    }

    private static void Git(string cwd, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    private async Task HookAsync(string eventName, string payload)
    {
        var result = await _engram.RunWithInputAsync(payload, "hook", "claude-code", eventName);
        Assert.Equal(0, result.ExitCode);
        if (eventName != "session-start") Assert.Equal("", result.Stdout);
    }

    private async Task<string> SessionStartContextAsync(ClaudeCodeSession session)
    {
        var result = await _engram.RunWithInputAsync(session.SessionStart(), "hook", "claude-code", "session-start");
        return HookOutput.ContextOf(result);
    }

    /// <summary>A realistic session: prompt, Read, a failing test run, an Edit, the test passing, Stop, SessionEnd.</summary>
    private async Task ReplayCartSessionAsync(ClaudeCodeSession s)
    {
        Assert.Equal("", await SessionStartContextAsync(s));
        await HookAsync("user-prompt-submit", s.Prompt("The cart total is off by a cent for discounted items. Find out why and fix it."));
        await HookAsync("post-tool-use", s.Read("src/cart.py", "def total(items):\n    return round(sum(i.price * (1 - i.discount) for i in items))\n"));
        await HookAsync("post-tool-use", s.TodoWrite());
        await HookAsync("post-tool-use", s.Bash("pytest tests/test_cart.py",
            "F\n=================================== FAILURES ===================================\nFAILED tests/test_cart.py::test_discounted_total - AssertionError: assert 10 == 9.99\n1 failed in 0.12s\n"));
        await HookAsync("post-tool-use", s.Edit("src/cart.py",
            "    return round(sum(i.price * (1 - i.discount) for i in items))",
            "    return round(sum(i.price * (1 - i.discount) for i in items), 2)"));
        await HookAsync("post-tool-use", s.Bash("pytest tests/test_cart.py", ".\n1 passed in 0.10s\n"));
        await HookAsync("stop", s.Stop(
            "I fixed the cart total in src/cart.py. The root cause was that round() without a digits argument rounds to a whole number. "
            + "I decided to keep floats and round to 2 decimals instead of switching the whole cart to Decimal, to keep the change small. "
            + "Next step: add a test for items with a 100% discount."));
        await HookAsync("session-end", s.SessionEnd());
    }

    [Fact]
    public async Task A_recorded_session_is_remembered_in_the_next_session_start()
    {
        var repo = NewRepo("work", "shop-api", "git@github.com:acme/shop-api.git");
        await ReplayCartSessionAsync(new ClaudeCodeSession("11111111-aaaa", repo));

        var process = await _engram.RunAsync("process", "--json");
        Assert.Equal(0, process.ExitCode);
        using (var summary = JsonDocument.Parse(process.Stdout))
        {
            Assert.Equal(8, summary.RootElement.GetProperty("processed").GetInt32());
            Assert.Equal(0, summary.RootElement.GetProperty("pending").GetInt32());
        }

        var context = await SessionStartContextAsync(new ClaudeCodeSession("22222222-bbbb", repo));
        Assert.InRange(context.Length, 200, 9500);
        Assert.StartsWith("<engram-memory", context, StringComparison.Ordinal);
        Assert.EndsWith("</engram-memory>", context, StringComparison.Ordinal);
        Assert.Contains("src/cart.py", context, StringComparison.Ordinal);                       // the edited file
        Assert.Contains("decided to keep floats", context, StringComparison.Ordinal);            // the decision
        Assert.Contains("add a test for items with a 100% discount", context, StringComparison.Ordinal); // the next step
        Assert.Contains("root cause", context, StringComparison.Ordinal);
        Assert.Contains("fixed: pytest tests/test_cart.py now passes", context, StringComparison.Ordinal);
        Assert.DoesNotContain("TodoWrite", context, StringComparison.Ordinal);
        Assert.DoesNotContain("Unresolved", context, StringComparison.Ordinal); // the failure was resolved

        // engram context in the repository prints the same memories.
        var cli = await _engram.RunAsync("context", "--cwd", repo, "--json");
        using var cliJson = JsonDocument.Parse(cli.Stdout);
        Assert.Contains("add a test for items with a 100% discount", cliJson.RootElement.GetProperty("context").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task With_a_model_the_tool_calls_of_a_session_are_distilled_in_one_batched_call(bool usableAnswer)
    {
        await using var provider = new FakeOpenAiServer();
        _engram.Environment["ENGRAM_LLM__PROVIDER"] = "openai";
        _engram.Environment["ENGRAM_LLM__BASEURL"] = provider.BaseUrl;
        _engram.Environment["ENGRAM_LLM__MODEL"] = "big-model";
        _engram.Environment["ENGRAM_LLM__COMPRESSSESSIONS"] = "true";
        _engram.Environment["ENGRAM_LLM__COMPRESSIONMODEL"] = "small-model";
        provider.ChatReplies.Enqueue(usableAnswer
            ? """
              {"observations": [null,
                {"type": "failure", "title": "discounted cart total test fails", "narrative": "test_discounted_total expected 9.99 and got 10.", "facts": ["assert 10 == 9.99"], "concepts": ["rounding"]},
                {"type": "bugfix", "title": "cart total rounds to cents in src/cart.py", "narrative": "round() now keeps two decimals.", "facts": ["round(x, 2)"], "concepts": ["rounding", "cart"]},
                {"type": "discovery", "title": "cart tests pass", "narrative": "pytest tests/test_cart.py passes.", "facts": [], "concepts": []}]}
              """
            : "I am not JSON");
        // Stop and session-end each ask for the session summary.
        for (var i = 0; i < 2; i++)
        {
            provider.ChatReplies.Enqueue(usableAnswer
                ? """{"title": "Cart totals round to cents", "request": "Fix the off-by-a-cent cart total", "learned": ["round() without digits rounds to whole numbers"], "completed": ["src/cart.py rounds to 2 decimals; tests pass"], "decisions": ["keep floats, not Decimal"], "next_steps": ["test 100% discounts"]}"""
                : "still not JSON");
        }
        var repo = NewRepo("work", "shop-api", "git@github.com:acme/shop-api.git");
        await ReplayCartSessionAsync(new ClaudeCodeSession("llm-session", repo));
        Assert.Equal(0, (await _engram.RunAsync("process")).ExitCode);

        var calls = provider.Requests.Where(r => r.Path == "/v1/chat/completions").ToList();
        Assert.Equal(3, calls.Count);
        var call = calls[0]; // four tool calls (TodoWrite skipped), one request
        Assert.Equal("small-model", call.Body!["model"]!.GetValue<string>());
        Assert.Equal(4, call.Body["messages"]![1]!["content"]!.GetValue<string>().Split("\n[").Length);

        using var list = JsonDocument.Parse((await _engram.RunAsync("list", "--kind", "observation", "--json")).Stdout);
        var titles = list.RootElement.GetProperty("results").EnumerateArray().Select(m => m.GetProperty("title").GetString()).ToList();
        Assert.Equal(3, titles.Count);
        Assert.Contains(titles, t => t!.StartsWith("fixed: pytest tests/test_cart.py now passes", StringComparison.Ordinal)); // failure tracking stays deterministic
        if (usableAnswer) Assert.Contains("cart total rounds to cents in src/cart.py", titles);
        else Assert.Contains(titles, t => t!.StartsWith("modified src/cart.py", StringComparison.Ordinal)); // the offline path took over
        using var stats = JsonDocument.Parse((await _engram.RunAsync("stats", "--json")).Stdout);
        Assert.Equal(0, stats.RootElement.GetProperty("queue_pending").GetInt64());
        Assert.Contains(stats.RootElement.GetProperty("llm_usage").EnumerateArray(), u => u.GetProperty("purpose").GetString() == "compress");
        Assert.Contains(stats.RootElement.GetProperty("llm_usage").EnumerateArray(), u => u.GetProperty("purpose").GetString() == "summarize");

        using var summaries = JsonDocument.Parse((await _engram.RunAsync("list", "--kind", "summary", "--json")).Stdout);
        var summary = Assert.Single(summaries.RootElement.GetProperty("results").EnumerateArray());
        var content = summary.GetProperty("memory").GetString()!;
        Assert.Contains("Files modified: src/cart.py", content, StringComparison.Ordinal); // recorded facts stay
        if (usableAnswer)
        {
            Assert.Equal("Cart totals round to cents", summary.GetProperty("title").GetString());
            Assert.Contains("Next steps: test 100% discounts", content, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("Next step", content, StringComparison.Ordinal); // the offline summary
            Assert.Contains("add a test for items with a 100% discount", content, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_failure_sent_as_PostToolUseFailure_is_remembered_with_its_error_and_marked_fixed_when_it_passes()
    {
        var repo = NewRepo("work", "calc", null);
        var s = new ClaudeCodeSession("failure-session", repo);
        await HookAsync("user-prompt-submit", s.Prompt("Make the median test pass"));
        await HookAsync("post-tool-use-failure", s.BashFailure("python -m unittest test_stats",
            "Exit code 1\nF\n======================================================================\nFAIL: test_median (test_stats.TestStats)\n"
            + "Traceback (most recent call last):\n  File \"test_stats.py\", line 7, in test_median\nAssertionError: -1 != 5\n\nFAILED (failures=1)"));
        Assert.Equal(0, (await _engram.RunAsync("process")).ExitCode);

        var context = await SessionStartContextAsync(new ClaudeCodeSession("failure-session-2", repo));
        Assert.Contains("python -m unittest test_stats", context, StringComparison.Ordinal);
        Assert.Contains("AssertionError: -1 != 5", context, StringComparison.Ordinal);

        await HookAsync("post-tool-use", s.Edit("stats.py", "return -1", "return sorted(xs)[len(xs) // 2]"));
        await HookAsync("post-tool-use", s.Bash("python -m unittest test_stats", "", ".\n----------------------------------------------------------------------\nRan 1 test in 0.000s\n\nOK\n"));
        Assert.Equal(0, (await _engram.RunAsync("process")).ExitCode);
        var after = await SessionStartContextAsync(new ClaudeCodeSession("failure-session-3", repo));
        Assert.Contains("fixed: python -m unittest test_stats now passes (it had failed with: AssertionError: -1 != 5)", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_next_steps_and_decisions_survive_a_short_follow_up_session()
    {
        var repo = NewRepo("work", "shop-web", null);
        await ReplayCartSessionAsync(new ClaudeCodeSession("33333333-cccc", repo));
        Assert.Equal(0, (await _engram.RunAsync("process")).ExitCode);

        // A short session that states no next step and no decision.
        var quick = new ClaudeCodeSession("44444444-dddd", repo);
        await HookAsync("user-prompt-submit", quick.Prompt("Fix the typo in the README title"));
        await HookAsync("post-tool-use", quick.Edit("README.md", "# Shpo", "# Shop"));
        await HookAsync("stop", quick.Stop("Fixed the typo in the README title."));
        Assert.Equal(0, (await _engram.RunAsync("process")).ExitCode);

        var context = await SessionStartContextAsync(new ClaudeCodeSession("55555555-eeee", repo));
        Assert.Contains("Still open from earlier sessions", context, StringComparison.Ordinal);
        Assert.Contains("add a test for items with a 100% discount", context, StringComparison.Ordinal);
        Assert.Contains("decided to keep floats", context, StringComparison.Ordinal);
        Assert.Contains("Fixed the typo", context, StringComparison.Ordinal); // the short session is the last one
    }

    [Fact]
    public async Task Two_repositories_with_the_same_folder_name_stay_apart()
    {
        var ours = NewRepo("team-a", "shop-api", "https://github.com/team-a/shop-api.git");
        var theirs = NewRepo("team-b", "shop-api", null);
        await ReplayCartSessionAsync(new ClaudeCodeSession("s-a", ours));
        var other = new ClaudeCodeSession("s-b", theirs);
        await HookAsync("user-prompt-submit", other.Prompt("Add pagination to the orders endpoint"));
        await HookAsync("post-tool-use", other.Edit("src/orders.py", "def list_orders():", "def list_orders(page=1, size=50):"));
        await HookAsync("stop", other.Stop("Added pagination to list_orders. Next step: document the page parameters."));
        Assert.Equal(0, (await _engram.RunAsync("process")).ExitCode);

        var contextA = await SessionStartContextAsync(new ClaudeCodeSession("s-a2", ours));
        var contextB = await SessionStartContextAsync(new ClaudeCodeSession("s-b2", theirs));
        Assert.Contains("cart.py", contextA, StringComparison.Ordinal);
        Assert.DoesNotContain("orders", contextA, StringComparison.Ordinal);
        Assert.Contains("orders", contextB, StringComparison.Ordinal);
        Assert.DoesNotContain("cart.py", contextB, StringComparison.Ordinal);

        using var list = JsonDocument.Parse((await _engram.RunAsync("list", "--kind", "summary", "--json")).Stdout);
        var projects = list.RootElement.GetProperty("results").EnumerateArray().Select(m => m.GetProperty("project").GetString()).ToList();
        Assert.Equal(2, projects.Distinct().Count());
        Assert.Contains("github.com/team-a/shop-api", projects);
    }

    [Fact]
    public async Task Private_text_and_secrets_never_reach_the_database_file()
    {
        var repo = NewRepo("work", "api", null);
        var s = new ClaudeCodeSession("secret-session", repo);
        await HookAsync("user-prompt-submit", s.Prompt(
            "Deploy with key sk_live_51HqLyjWDarjtT1zdp7dcXYZabc and <private>my home address is 12 Elm Street</private> please"));
        await HookAsync("post-tool-use", s.Bash("export GITHUB_TOKEN=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 && ./deploy.sh",
            "connecting to postgres://deploy:S3cretPassw0rd@db.internal:5432/shop\nAKIAIOSFODNN7EXAMPLE used\ndeployed", ""));
        await HookAsync("stop", s.Stop("Deployed. <private>The admin password is hunter2-horse-battery</private> Next step: rotate the keys."));
        Assert.Equal(0, (await _engram.RunAsync("process")).ExitCode);
        Assert.Equal(0, (await _engram.RunAsync("stats")).ExitCode);

        var bytes = ReadAllStoreBytes();
        foreach (var secret in new[] { "sk_live_51HqLyjWDarjtT1zdp7dcXYZabc", "12 Elm Street", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "S3cretPassw0rd", "AKIAIOSFODNN7EXAMPLE", "hunter2-horse-battery" })
        {
            Assert.False(Contains(bytes, secret), $"'{secret}' reached the database file");
        }
        Assert.True(Contains(bytes, "[REDACTED:"), "redaction markers are stored instead");
        Assert.True(Contains(bytes, "rotate the keys"), "the rest of the text is stored");
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_engram.Home, "spool"), "*.json"));
    }

    private byte[] ReadAllStoreBytes()
    {
        using var buffer = new MemoryStream();
        foreach (var file in Directory.EnumerateFiles(_engram.Home, "engram.db*"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            stream.CopyTo(buffer);
        }
        return buffer.ToArray();
    }
}
