using Engram.Agents.Adapters;

namespace Engram.Agents.Codex;

/// <summary>One Codex hook event Engram installs: Codex's name, Engram's name, matcher, time limit (seconds) and meaning.</summary>
public sealed record CodexHookEvent(string Name, string CommandName, string? Matcher, int TimeoutSeconds, AgentEventKind Kind)
{
    public const string Agent = "codex";

    /// <summary>Every event Engram installs, in the order they are written (Codex 0.171 fires all of them).</summary>
    public static IReadOnlyList<CodexHookEvent> All { get; } =
    [
        new("SessionStart", "session-start", null, 15, AgentEventKind.SessionStart),
        new("UserPromptSubmit", "user-prompt-submit", null, 10, AgentEventKind.Prompt),
        // Every tool: Bash, apply_patch and MCP tools.
        new("PostToolUse", "post-tool-use", "*", 10, AgentEventKind.ToolCall),
        new("Stop", "stop", null, 15, AgentEventKind.AssistantAnswer),
        new("SubagentStop", "subagent-stop", null, 15, AgentEventKind.SubagentStop),
        new("PreCompact", "pre-compact", null, 30, AgentEventKind.Compaction),
        new("SessionEnd", "session-end", null, 5, AgentEventKind.SessionEnd),
    ];
}
