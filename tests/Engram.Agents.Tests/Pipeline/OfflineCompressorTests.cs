using System.Text.Json.Nodes;
using Engram.Agents.Pipeline;

namespace Engram.Agents.Tests.Pipeline;

public sealed class OfflineCompressorTests
{
    private static ToolEvent Bash(string command, string stdout, string stderr = "", string? error = null) => ToolEvent.From("Bash",
        new JsonObject { ["command"] = command }.ToJsonString(),
        new JsonObject { ["stdout"] = stdout, ["stderr"] = stderr, ["interrupted"] = false }.ToJsonString(), error);

    [Theory]
    [InlineData("pytest", "FAILED tests/test_a.py::test_x - AssertionError: assert 1 == 2\n1 failed in 0.1s", "", "AssertionError: assert 1 == 2")]
    [InlineData("dotnet build", "Build FAILED.\nsrc/A.cs(3,1): error CS1002: ; expected", "", "error CS1002")]
    [InlineData("npm test", "", "npm ERR! Test failed.  See above for more details.", "npm ERR!")]
    [InlineData("python app.py", "", "Traceback (most recent call last):\n  File \"app.py\", line 1\nKeyError: 'id'", "KeyError: 'id'")]
    [InlineData("ls /nope", "", "ls: cannot access '/nope': No such file or directory", "No such file or directory")]
    [InlineData("make", "Exit code 2\nmake: *** [all] Error 2", "", "Error 2")]
    // Node's assert, as the real Claude Code 2.1 reported it (the error field of PostToolUseFailure becomes stdout here).
    [InlineData("node test.js", "Exit code 1\nnode:assert:90\n  throw new AssertionError(obj);\n  ^\n\nAssertionError [ERR_ASSERTION]: Expected values to be strictly equal:\n\n5 !== 4\n", "", "AssertionError [ERR_ASSERTION]: Expected values to be strictly equal:")]
    public void Failing_commands_keep_the_command_and_the_key_error_line(string command, string stdout, string stderr, string expected)
    {
        var draft = OfflineCompressor.Compress(Bash(command, stdout, stderr), null);
        Assert.NotNull(draft);
        Assert.Equal("failure", draft.Type);
        Assert.Contains(command, draft.Title, StringComparison.Ordinal);
        Assert.Contains(expected, draft.Narrative, StringComparison.Ordinal);
        Assert.Equal("failed", draft.Metadata["outcome"]);
    }

    [Theory]
    [InlineData("pytest", "5 passed, 0 failed in 1.2s")]
    [InlineData("dotnet build", "Build succeeded.\n    0 Warning(s)\n    0 Error(s)")]
    [InlineData("cargo test", "test result: ok. 12 passed; 0 failed")]
    public void Passing_checks_are_discoveries_not_failures(string command, string stdout)
    {
        var draft = OfflineCompressor.Compress(Bash(command, stdout), null);
        Assert.NotNull(draft);
        Assert.Equal("discovery", draft.Type);
        Assert.Equal("passed", draft.Metadata["outcome"]);
    }

    [Theory]
    [InlineData("ls -la")]
    [InlineData("git status")]
    [InlineData("cat README.md")]
    [InlineData("grep -rn foo src")]
    public void Looking_around_is_not_an_observation(string command) =>
        Assert.Null(OfflineCompressor.Compress(Bash(command, "whatever"), null));

    [Fact]
    public void A_reported_tool_error_is_a_failure_even_with_quiet_output() =>
        Assert.Equal("failure", OfflineCompressor.Compress(Bash("deploy.sh", "", "", error: "Error: Exit code 1"), null)!.Type);

    [Fact]
    public void An_edit_says_what_changed_with_a_path_relative_to_the_project()
    {
        var edit = ToolEvent.From("Edit",
            new JsonObject { ["file_path"] = "/repo/src/cart.py", ["old_string"] = "return round(total)", ["new_string"] = "return round(total, 2)" }.ToJsonString(), "{}");
        var draft = OfflineCompressor.Compress(edit, "/repo")!;
        Assert.Equal("change", draft.Type);
        Assert.StartsWith("modified src/cart.py: replaced `return round(total)` with `return round(total, 2)`", draft.Title, StringComparison.Ordinal);
        Assert.Equal(["src/cart.py"], draft.FilesModified);
    }

    [Theory]
    [InlineData("a\nb", "a\nb\nc", "added `c`")]
    [InlineData("a\nb\nc", "a\nc", "removed `b`")]
    [InlineData("x = 1", "x = 2", "replaced `x = 1` with `x = 2`")]
    [InlineData("same", "same", "")]
    public void Changes_are_described_by_their_first_differing_line(string before, string after, string expected) =>
        Assert.Equal(expected, OfflineCompressor.DescribeChange(before, after));

    [Fact]
    public void Reads_and_bookkeeping_tools_yield_nothing()
    {
        Assert.Null(OfflineCompressor.Compress(ToolEvent.From("Read", "{\"file_path\":\"/repo/a.cs\"}", "{}"), "/repo"));
        Assert.Null(OfflineCompressor.Compress(ToolEvent.From("TodoWrite", "{}", "{}"), "/repo"));
        Assert.Equal("a.cs", OfflineCompressor.FileRead(ToolEvent.From("Read", "{\"file_path\":\"/repo/a.cs\"}", "{}"), "/repo"));
    }

    [Fact]
    public void Skip_patterns_match_names_and_prefixes()
    {
        var options = new PipelineOptions();
        Assert.True(options.Skips("TodoWrite"));
        Assert.True(options.Skips("mcp__engram__search"));
        Assert.False(options.Skips("Edit"));
        Assert.False(options.Skips("mcp__github__create_issue"));
    }
}
