using Engram.Agents.Adapters;
using Engram.Agents.Codex;

namespace Engram.Agents.Tests.Adapters;

/// <summary>Codex CLI 0.171 payloads, as recorded from the real client, read into neutral events.</summary>
public sealed class CodexAdapterTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly IAgentAdapter _codex = AgentRegistry.Find("codex")!;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Lifecycle_events_carry_session_prompt_and_answer()
    {
        var start = _codex.Parse("session-start", RecordedPayload.Bytes("codex", "SessionStart.json"));
        Assert.Equal(AgentEventKind.SessionStart, start.Kind);
        Assert.Equal("01a22cd1-7a30-7a72-bb78-830cf2a6d24a", start.SessionId);
        Assert.Equal("/tmp/rc/proj", start.Cwd);
        Assert.Equal("startup", start.Source);

        var prompt = _codex.Parse("user-prompt-submit", RecordedPayload.Bytes("codex", "UserPromptSubmit.json"));
        Assert.Equal((AgentEventKind.Prompt, "fix hello.txt"), (prompt.Kind, prompt.Prompt));

        var stop = _codex.Parse("stop", RecordedPayload.Bytes("codex", "Stop.json"));
        Assert.Equal((AgentEventKind.AssistantAnswer, "Decision: use goodbye. Next step: ship it."), (stop.Kind, stop.AssistantMessage));
        Assert.Equal(AgentEventKind.SessionEnd, _codex.Parse("session-end", RecordedPayload.Bytes("codex", "SessionEnd.json")).Kind);
    }

    [Fact]
    public void A_command_that_only_prints_a_file_is_a_read_of_that_file()
    {
        var read = _codex.Parse("post-tool-use", RecordedPayload.Bytes("codex", "PostToolUse-Bash-read.json"));
        Assert.Equal(AgentEventKind.ToolCall, read.Kind);
        Assert.Equal("Read", read.Tool!.ToolName);
        Assert.Equal("/tmp/rc/proj/hello.txt", read.Tool.InputString("file_path"));
        Assert.Equal("call_3", read.ToolUseId);
    }

    [Fact]
    public void A_failed_command_gets_its_exit_code_from_the_rollout_transcript()
    {
        var transcript = _temp.Combine("rollout.jsonl");
        File.WriteAllText(transcript,
            """{"type":"session_meta","payload":{"id":"s"}}""" + "\n" +
            """{"type":"event_msg","payload":{"type":"item_completed","item":{"type":"CommandExecution","id":"call_6","status":"failed","exit_code":1,"aggregated_output":"assert 1 == 2\n"}}}""" + "\n");
        var failed = _codex.Parse("post-tool-use", RecordedPayload.Bytes("codex", "PostToolUse-Bash-failed-exit1.json", ("transcript_path", transcript)));
        Assert.Equal("Bash", failed.Tool!.ToolName);
        Assert.Equal("echo assert 1 == 2 >&2; exit 1", failed.Tool.InputString("command"));
        Assert.Equal("Exit code 1\nassert 1 == 2", failed.Tool.Error);

        // No transcript line for the call (gone, or not written): not called a failure on a guess.
        var unknown = _codex.Parse("post-tool-use", RecordedPayload.Bytes("codex", "PostToolUse-Bash-failed-exit1.json", ("transcript_path", _temp.Combine("missing.jsonl"))));
        Assert.Null(unknown.Tool!.Error);
        Assert.Equal("assert 1 == 2\n", unknown.Tool.ResponseString("stdout"));
    }

    [Fact]
    public void A_transcript_is_read_again_only_from_where_it_grew()
    {
        var transcript = _temp.Combine("growing.jsonl");
        File.WriteAllText(transcript, """{"type":"event_msg","payload":{"type":"item_completed","item":{"id":"call_a","exit_code":0}}}""" + "\n");
        var a = _codex.Parse("post-tool-use", RecordedPayload.Bytes("codex", "PostToolUse-Bash-failed-exit1.json", ("transcript_path", transcript), ("tool_use_id", "call_a")));
        Assert.Null(a.Tool!.Error);
        // Half a line is being written: it is not read until it is complete.
        File.AppendAllText(transcript, """{"type":"event_msg","payload":{"type":"item_completed","item":{"id":"call_b","exit_""");
        Assert.Null(_codex.Parse("post-tool-use", RecordedPayload.Bytes("codex", "PostToolUse-Bash-failed-exit1.json", ("transcript_path", transcript), ("tool_use_id", "call_b"))).Tool!.Error);
        File.AppendAllText(transcript, "code\":2}}}\n");
        var b = _codex.Parse("post-tool-use", RecordedPayload.Bytes("codex", "PostToolUse-Bash-failed-exit1.json", ("transcript_path", transcript), ("tool_use_id", "call_b")));
        Assert.StartsWith("Exit code 2", b.Tool!.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_patch_is_an_edit_of_the_patched_file()
    {
        var edit = _codex.Parse("post-tool-use", RecordedPayload.Bytes("codex", "PostToolUse-apply_patch.json"));
        Assert.Equal("Edit", edit.Tool!.ToolName);
        Assert.Equal("/tmp/rc/proj/hello.txt", edit.Tool.InputString("file_path"));
        Assert.Equal("hello from file", edit.Tool.InputString("old_string"));
        Assert.Equal("goodbye from file", edit.Tool.InputString("new_string"));
    }

    [Theory]
    [InlineData("cat hello.txt", "hello.txt")]
    [InlineData("sed -n '1,80p' src/app.py", "src/app.py")]
    [InlineData("head -n 20 README.md", "README.md")]
    [InlineData("cat a.txt b.txt", null)]
    [InlineData("cat hello.txt | grep x", null)]
    [InlineData("cat > out.txt", null)]
    [InlineData("pytest tests", null)]
    public void Only_a_plain_show_of_one_file_counts_as_a_read(string command, string? file) =>
        Assert.Equal(file, ShellRead.FileOf(command));
}
