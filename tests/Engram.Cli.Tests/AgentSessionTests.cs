using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>
/// Codex CLI and Gemini CLI sessions through the real engram process, built from the payloads recorded from the real
/// clients (tests/Fixtures/payloads) with this test's repository and session: read a file, a failing test, an edit,
/// the test passing, an answer with a decision and a next step. The next session's context must show all of it.
/// </summary>
public sealed class AgentSessionTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly EngramProcess _engram;

    public AgentSessionTests()
    {
        _engram = new EngramProcess(_folder.File("home"));
        _engram.Environment["ENGRAM_NO_WORKER"] = "1"; // the test drives processing
    }

    public void Dispose() => _folder.Dispose();

    private string NewRepo(string name)
    {
        var path = Path.Combine(_folder.Path, name);
        Directory.CreateDirectory(path);
        var start = new ProcessStartInfo("git") { WorkingDirectory = path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "init", "-q" }) start.ArgumentList.Add(a);
        using var git = Process.Start(start)!;
        git.WaitForExit();
        File.WriteAllText(Path.Combine(path, "stats.py"), "def median(xs):\n    return -1\n");
        return path;
    }

    /// <summary>A recorded payload with this test's session, folder and the given fields.</summary>
    private static string Payload(string agent, string file, string session, string cwd, params (string Name, JsonNode? Value)[] fields)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "payloads", agent, file)))!.AsObject();
        json["session_id"] = session;
        json["cwd"] = cwd;
        foreach (var (name, value) in fields) json[name] = value?.DeepClone();
        return json.ToJsonString();
    }

    private async Task HookAsync(string agent, string eventName, string payload)
    {
        var result = await _engram.RunWithInputAsync(payload, "hook", agent, eventName);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stdout);
    }

    private async Task<string> ContextAsync(string agent, string payload)
    {
        var result = await _engram.RunWithInputAsync(payload, "hook", agent, "session-start");
        return HookOutput.ContextOf(result);
    }

    private const string Answer = "The median was hard-coded. I decided to sort a copy of the list instead of sorting in place. Next step: add a test for an empty list.";

    private static void AssertRemembered(string context)
    {
        Assert.Contains("stats.py", context, StringComparison.Ordinal);
        Assert.Contains("fixed: python -m unittest test_stats now passes", context, StringComparison.Ordinal);
        Assert.Contains("AssertionError: -1 != 5", context, StringComparison.Ordinal);
        Assert.Contains("sort a copy of the list", context, StringComparison.Ordinal);
        Assert.Contains("add a test for an empty list", context, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_codex_session_is_remembered_with_its_failure_fixed_in_the_next_session_start()
    {
        var repo = NewRepo("calc-codex");
        const string session = "codex-session-1";
        // Codex writes each command's exit code to the rollout transcript before the PostToolUse hook runs.
        var transcript = Path.Combine(_folder.Path, "rollout.jsonl");
        await File.WriteAllTextAsync(transcript, """{"type":"event_msg","payload":{"type":"item_completed","item":{"type":"CommandExecution","id":"call_2","status":"failed","exit_code":1}}}""" + "\n" +
            """{"type":"event_msg","payload":{"type":"item_completed","item":{"type":"CommandExecution","id":"call_4","status":"completed","exit_code":0}}}""" + "\n", TestContext.Current.CancellationToken);
        (string, JsonNode?) T = ("transcript_path", transcript);

        Assert.Equal("", await ContextAsync("codex", Payload("codex", "SessionStart.json", session, repo, T)));
        await HookAsync("codex", "user-prompt-submit", Payload("codex", "UserPromptSubmit.json", session, repo, T, ("prompt", "Make the median test pass")));
        await HookAsync("codex", "post-tool-use", Payload("codex", "PostToolUse-Bash-read.json", session, repo, T,
            ("tool_input", new JsonObject { ["command"] = "cat stats.py" }), ("tool_response", "def median(xs):\n    return -1\n"), ("tool_use_id", "call_1")));
        await HookAsync("codex", "post-tool-use", Payload("codex", "PostToolUse-Bash-failed-exit1.json", session, repo, T,
            ("tool_input", new JsonObject { ["command"] = "python -m unittest test_stats" }),
            ("tool_response", "F\nFAIL: test_median (test_stats.TestStats)\nTraceback (most recent call last):\nAssertionError: -1 != 5\n\nFAILED (failures=1)\n"), ("tool_use_id", "call_2")));
        await HookAsync("codex", "post-tool-use", Payload("codex", "PostToolUse-apply_patch.json", session, repo, T,
            ("tool_input", new JsonObject { ["command"] = "*** Begin Patch\n*** Update File: stats.py\n@@\n-    return -1\n+    return sorted(xs)[len(xs) // 2]\n*** End Patch\n" }), ("tool_use_id", "call_3")));
        await HookAsync("codex", "post-tool-use", Payload("codex", "PostToolUse-Bash-failed-exit1.json", session, repo, T,
            ("tool_input", new JsonObject { ["command"] = "python -m unittest test_stats" }), ("tool_response", ".\nRan 1 test in 0.000s\n\nOK\n"), ("tool_use_id", "call_4")));
        await HookAsync("codex", "stop", Payload("codex", "Stop.json", session, repo, T, ("last_assistant_message", Answer)));
        await HookAsync("codex", "session-end", Payload("codex", "SessionEnd.json", session, repo, T));
        Assert.Equal(0, (await _engram.RunAsync("process")).ExitCode);

        AssertRemembered(await ContextAsync("codex", Payload("codex", "SessionStart.json", "codex-session-2", repo)));
        using var failures = JsonDocument.Parse((await _engram.RunAsync("list", "--agent", "codex", "--kind", "observation", "--json")).Stdout);
        var failure = failures.RootElement.GetProperty("results").EnumerateArray().Single(m => m.GetProperty("type").GetString() == "failure");
        Assert.True(failure.GetProperty("metadata").TryGetProperty("resolved_by", out _));
    }

    [Fact]
    public async Task A_gemini_session_is_remembered_with_its_failure_fixed_in_the_next_session_start()
    {
        var repo = NewRepo("calc-gemini");
        const string session = "gemini-session-1";
        static JsonObject Shell(string output, int exit) => new()
        {
            ["llmContent"] = $"<untrusted_context>\nOutput: {output}\nExit Code: {exit}\nProcess Group PGID: 4242\n</untrusted_context>",
            ["returnDisplay"] = output,
        };

        Assert.Equal("", await ContextAsync("gemini", Payload("gemini", "SessionStart.json", session, repo)));
        await HookAsync("gemini", "before-agent", Payload("gemini", "BeforeAgent.json", session, repo, ("prompt", "Make the median test pass")));
        await HookAsync("gemini", "after-tool", Payload("gemini", "AfterTool-read_file.json", session, repo,
            ("tool_input", new JsonObject { ["file_path"] = "stats.py" }), ("tool_response", new JsonObject { ["llmContent"] = "def median(xs):\n    return -1\n", ["returnDisplay"] = "" })));
        await HookAsync("gemini", "after-tool", Payload("gemini", "AfterTool-run_shell_command-exit1.json", session, repo,
            ("tool_input", new JsonObject { ["command"] = "python -m unittest test_stats" }),
            ("tool_response", Shell("F\nFAIL: test_median (test_stats.TestStats)\nTraceback (most recent call last):\nAssertionError: -1 != 5\n\nFAILED (failures=1)", 1))));
        await HookAsync("gemini", "after-tool", Payload("gemini", "AfterTool-replace.json", session, repo,
            ("tool_input", new JsonObject { ["file_path"] = Path.Combine(repo, "stats.py"), ["old_string"] = "    return -1", ["new_string"] = "    return sorted(xs)[len(xs) // 2]", ["instruction"] = "fix" })));
        await HookAsync("gemini", "after-tool", Payload("gemini", "AfterTool-run_shell_command-exit1.json", session, repo,
            ("tool_input", new JsonObject { ["command"] = "python -m unittest test_stats" }), ("tool_response", Shell(".\nRan 1 test in 0.000s\n\nOK", 0))));
        await HookAsync("gemini", "after-agent", Payload("gemini", "AfterAgent.json", session, repo, ("prompt", "Make the median test pass"), ("prompt_response", Answer)));
        await HookAsync("gemini", "session-end", Payload("gemini", "SessionEnd.json", session, repo));
        Assert.Equal(0, (await _engram.RunAsync("process")).ExitCode);

        AssertRemembered(await ContextAsync("gemini", Payload("gemini", "SessionStart.json", "gemini-session-2", repo)));
    }

    [Fact]
    public async Task An_event_of_an_agent_no_adapter_knows_is_set_aside_with_its_reason_not_lost()
    {
        // What the native hook spools for any well-formed name (it knows no agents); the worker decides.
        var spool = Engram.Agents.Capture.Spool.ForHome(_engram.Home);
        spool.Write("windsurf", "post-tool-use", """{"session_id":"w","cwd":"/tmp"}"""u8, DateTimeOffset.UtcNow);
        Assert.Equal(0, (await _engram.RunAsync("process")).ExitCode);
        var doctor = await _engram.RunAsync("doctor");
        Assert.Contains("no agent adapter reads 'windsurf post-tool-use' events", doctor.Stdout, StringComparison.Ordinal);
    }
}
