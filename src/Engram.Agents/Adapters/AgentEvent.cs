using Engram.Agents.Pipeline;

namespace Engram.Agents.Adapters;

/// <summary>What an agent's hook event means to Engram, whatever the agent calls it.</summary>
public enum AgentEventKind
{
    /// <summary>Captured but not used for memory (an event the adapter knows and has no use for).</summary>
    Ignored,
    SessionStart,
    /// <summary>The user submitted a prompt.</summary>
    Prompt,
    /// <summary>A tool call finished, successfully or not (<see cref="ToolEvent.Error"/> says which).</summary>
    ToolCall,
    /// <summary>The agent finished its turn; the answer may come with it.</summary>
    AssistantAnswer,
    /// <summary>A subagent finished its task.</summary>
    SubagentStop,
    /// <summary>The conversation is about to be compacted (summarised by the agent).</summary>
    Compaction,
    SessionEnd,
}

/// <summary>
/// One hook event in Engram's neutral terms, read by the agent's adapter from the agent's own payload.
/// Tool calls use the neutral tool vocabulary the compressors read: <c>Bash</c> (a shell command, input
/// <c>command</c>), <c>Read</c> (<c>file_path</c>), <c>Edit</c> (<c>file_path</c>, <c>old_string</c>,
/// <c>new_string</c>), <c>Write</c> (<c>file_path</c>, <c>content</c>); any other tool keeps its own name.
/// </summary>
public sealed record AgentEvent
{
    public required AgentEventKind Kind { get; init; }
    public string? SessionId { get; init; }
    public string? Cwd { get; init; }
    public string? TranscriptPath { get; init; }
    /// <summary>The user's prompt (<see cref="AgentEventKind.Prompt"/>).</summary>
    public string? Prompt { get; init; }
    /// <summary>The tool call (<see cref="AgentEventKind.ToolCall"/>), in the neutral tool vocabulary.</summary>
    public ToolEvent? Tool { get; init; }
    /// <summary>The agent's id of the tool call, when it gives one (keeps reprocessing idempotent).</summary>
    public string? ToolUseId { get; init; }
    /// <summary>The agent's final text of the turn, when the agent sends it.</summary>
    public string? AssistantMessage { get; init; }
    /// <summary>Why a session started (startup, resume, clear, compact) or what started a compaction.</summary>
    public string? Source { get; init; }
    /// <summary>Why the payload could not be read completely, or null.</summary>
    public string? ParseError { get; init; }
}
