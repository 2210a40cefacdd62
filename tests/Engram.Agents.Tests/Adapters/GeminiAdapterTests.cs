using Engram.Agents.Adapters;

namespace Engram.Agents.Tests.Adapters;

/// <summary>Gemini CLI 0.61 payloads, as recorded from the real client, read into neutral events.</summary>
public sealed class GeminiAdapterTests
{
    private readonly IAgentAdapter _gemini = AgentRegistry.Find("gemini")!;

    [Fact]
    public void Prompt_and_answer_come_from_before_agent_and_after_agent()
    {
        var prompt = _gemini.Parse("before-agent", RecordedPayload.Bytes("gemini", "BeforeAgent.json"));
        Assert.Equal((AgentEventKind.Prompt, "fix hello.txt"), (prompt.Kind, prompt.Prompt));
        Assert.Equal("10a816d0-92a5-4a2d-9395-9e45c9dabeac", prompt.SessionId);

        var answer = _gemini.Parse("after-agent", RecordedPayload.Bytes("gemini", "AfterAgent.json"));
        Assert.Equal(AgentEventKind.AssistantAnswer, answer.Kind);
        Assert.Equal("Decision: use goodbye. Next step: ship it.", answer.AssistantMessage);
        Assert.Null(answer.Prompt); // the prompt repeated here is not a second prompt
        Assert.Equal(AgentEventKind.SessionStart, _gemini.Parse("session-start", RecordedPayload.Bytes("gemini", "SessionStart.json")).Kind);
        Assert.Equal(AgentEventKind.SessionEnd, _gemini.Parse("session-end", RecordedPayload.Bytes("gemini", "SessionEnd.json")).Kind);
    }

    [Fact]
    public void A_failed_shell_command_carries_its_exit_code_and_output()
    {
        var failed = _gemini.Parse("after-tool", RecordedPayload.Bytes("gemini", "AfterTool-run_shell_command-exit1.json"));
        Assert.Equal(AgentEventKind.ToolCall, failed.Kind);
        Assert.Equal("Bash", failed.Tool!.ToolName);
        Assert.Equal("echo assert 1 == 2 >&2; exit 1", failed.Tool.InputString("command"));
        Assert.Equal("Exit code 1\nassert 1 == 2", failed.Tool.Error);
        Assert.Equal("assert 1 == 2", failed.Tool.ResponseString("stdout"));
    }

    [Fact]
    public void A_passing_shell_command_has_no_error()
    {
        var passed = _gemini.Parse("after-tool", Replace(RecordedPayload.Bytes("gemini", "AfterTool-run_shell_command-exit1.json"), "Exit Code: 1", "Exit Code: 0"));
        Assert.Null(passed.Tool!.Error);
    }

    [Fact]
    public void Read_file_and_replace_map_to_read_and_edit_with_absolute_paths()
    {
        var read = _gemini.Parse("after-tool", RecordedPayload.Bytes("gemini", "AfterTool-read_file.json"));
        Assert.Equal(("Read", "/tmp/rc/proj/hello.txt"), (read.Tool!.ToolName, read.Tool.InputString("file_path")));

        var edit = _gemini.Parse("after-tool", RecordedPayload.Bytes("gemini", "AfterTool-replace.json"));
        Assert.Equal("Edit", edit.Tool!.ToolName);
        Assert.Equal("/tmp/rc/proj/hello.txt", edit.Tool.InputString("file_path"));
        Assert.Equal(("hello", "goodbye"), (edit.Tool.InputString("old_string"), edit.Tool.InputString("new_string")));
        Assert.Null(edit.Tool.Error);
    }

    [Fact]
    public void Pre_compress_is_not_an_event_engram_installs()
    {
        // Gemini CLI 0.61 fires it before every model call; it marks no compaction.
        Assert.False(_gemini.Events.ContainsKey("pre-compress"));
        Assert.DoesNotContain("PreCompress", Gemini.GeminiHookEvent.All.Select(e => e.Name));
    }

    private static byte[] Replace(byte[] json, string from, string to) =>
        System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(json).Replace(from, to, StringComparison.Ordinal));
}
