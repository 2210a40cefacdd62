using Engram.Agents.Adapters;
using Engram.Agents.Pipeline;

namespace Engram.Agents.Tests.Adapters;

/// <summary>Claude Code 2.1.197 payloads, as recorded from the real client, read into neutral events.</summary>
public sealed class ClaudeCodeAdapterTests
{
    private readonly IAgentAdapter _claude = AgentRegistry.Find("claude-code")!;

    [Fact]
    public void A_failed_command_arrives_as_post_tool_use_failure_with_its_error()
    {
        var failed = _claude.Parse("post-tool-use-failure", RecordedPayload.Bytes("claude-code", "PostToolUseFailure-Bash.json"));
        Assert.Equal(AgentEventKind.ToolCall, failed.Kind);
        Assert.Equal("Exit code 1\nassert 1 == 2", failed.Tool!.Error);
        var draft = OfflineCompressor.Compress(failed.Tool, "/tmp/rc/proj")!;
        Assert.Equal("failure", draft.Type);
        Assert.Equal("failed", draft.Metadata["outcome"]);
    }

    [Fact]
    public void A_read_names_its_file_for_the_session_summary()
    {
        var read = _claude.Parse("post-tool-use", RecordedPayload.Bytes("claude-code", "PostToolUse-Read.json"));
        Assert.Equal("hello.txt", OfflineCompressor.FileRead(read.Tool!, "/tmp/rc/proj"));
    }

    [Fact]
    public void A_subagents_report_is_not_taken_for_the_sessions_answer()
    {
        var stop = _claude.Parse("subagent-stop", System.Text.Encoding.UTF8.GetBytes("""{"session_id":"s","hook_event_name":"SubagentStop","last_assistant_message":"found 3 files"}"""));
        Assert.Equal(AgentEventKind.SubagentStop, stop.Kind);
        Assert.Null(stop.AssistantMessage);
    }

    [Fact]
    public void Every_agent_answers_session_start_the_same_way_and_names_its_events_in_kebab_case()
    {
        foreach (var adapter in AgentRegistry.All)
        {
            Assert.Matches("^[a-z][a-z0-9-]*$", adapter.Name);
            Assert.All(adapter.Events.Keys, e => Assert.Matches("^[a-z][a-z0-9-]*$", e));
            if (adapter.Events.TryGetValue(IAgentAdapter.SessionStartEvent, out var kind)) Assert.Equal(AgentEventKind.SessionStart, kind);
        }
    }
}
