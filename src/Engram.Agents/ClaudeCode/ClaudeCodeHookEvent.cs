using Engram.Agents.Adapters;

namespace Engram.Agents.ClaudeCode;

/// <summary>
/// One Claude Code hook event Engram listens to: its name in settings.json, the kebab-case name used
/// on Engram's command line (<c>engram hook claude-code &lt;kebab&gt;</c>), the matcher, the time limit,
/// whether Claude Code may run it in the background, and what it means to Engram.
/// </summary>
/// <param name="Name">Claude Code's event name, such as <c>PostToolUse</c>.</param>
/// <param name="CommandName">The event as Engram's CLI spells it, such as <c>post-tool-use</c>.</param>
/// <param name="Matcher">The matcher written into settings.json, or null for events that take none.</param>
/// <param name="TimeoutSeconds">How long Claude Code lets the hook run before cancelling it.</param>
/// <param name="Async">Registered with <c>"async": true</c>: Claude Code does not wait for it (capture only, no output).</param>
/// <param name="Kind">What the event means to Engram.</param>
public sealed record ClaudeCodeHookEvent(string Name, string CommandName, string? Matcher, int TimeoutSeconds, bool Async, AgentEventKind Kind)
{
    // SessionStart prints the context, so Claude Code must wait for it; "compact" re-injects it after a compaction.
    public static ClaudeCodeHookEvent SessionStart { get; } = new("SessionStart", "session-start", "startup|resume|clear|compact", 15, false, AgentEventKind.SessionStart);
    public static ClaudeCodeHookEvent UserPromptSubmit { get; } = new("UserPromptSubmit", "user-prompt-submit", null, 10, true, AgentEventKind.Prompt);
    public static ClaudeCodeHookEvent PostToolUse { get; } = new("PostToolUse", "post-tool-use", "*", 10, true, AgentEventKind.ToolCall);
    // Claude Code 2.1 sends a tool call that failed (a command exiting non-zero) here, not to PostToolUse.
    public static ClaudeCodeHookEvent PostToolUseFailure { get; } = new("PostToolUseFailure", "post-tool-use-failure", "*", 10, true, AgentEventKind.ToolCall);
    public static ClaudeCodeHookEvent Stop { get; } = new("Stop", "stop", null, 15, true, AgentEventKind.AssistantAnswer);
    public static ClaudeCodeHookEvent SubagentStop { get; } = new("SubagentStop", "subagent-stop", null, 15, true, AgentEventKind.SubagentStop);
    // Claude Code gives SessionEnd hooks little time and exits after them: synchronous, so the capture is not cut off.
    public static ClaudeCodeHookEvent SessionEnd { get; } = new("SessionEnd", "session-end", null, 5, false, AgentEventKind.SessionEnd);
    public static ClaudeCodeHookEvent PreCompact { get; } = new("PreCompact", "pre-compact", null, 30, true, AgentEventKind.Compaction);

    /// <summary>Every event Engram installs, in the order they are written.</summary>
    public static IReadOnlyList<ClaudeCodeHookEvent> All { get; } =
        [SessionStart, UserPromptSubmit, PostToolUse, PostToolUseFailure, Stop, SubagentStop, SessionEnd, PreCompact];

    /// <summary>Finds an event by Claude Code name (<c>PostToolUse</c>) or command name (<c>post-tool-use</c>), ignoring case.</summary>
    public static ClaudeCodeHookEvent? Find(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return null;
        foreach (var hookEvent in All)
        {
            if (hookEvent.Name.Equals(name, StringComparison.OrdinalIgnoreCase)
                || hookEvent.CommandName.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return hookEvent;
            }
        }
        return null;
    }
}
