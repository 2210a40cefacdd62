namespace Engram.Agents.ClaudeCode;

/// <summary>
/// One Claude Code hook event Engram listens to: its name in settings.json, the kebab-case name used
/// on Engram's command line (<c>engram hook claude-code &lt;kebab&gt;</c>), the matcher and the time limit.
/// </summary>
/// <param name="Name">Claude Code's event name, such as <c>PostToolUse</c>.</param>
/// <param name="CommandName">The event as Engram's CLI spells it, such as <c>post-tool-use</c>.</param>
/// <param name="Matcher">The matcher written into settings.json, or null for events that take none.</param>
/// <param name="TimeoutSeconds">How long Claude Code lets the hook run before cancelling it.</param>
public sealed record ClaudeCodeHookEvent(string Name, string CommandName, string? Matcher, int TimeoutSeconds)
{
    public static ClaudeCodeHookEvent SessionStart { get; } = new("SessionStart", "session-start", "startup|resume|clear|compact", 15);
    public static ClaudeCodeHookEvent UserPromptSubmit { get; } = new("UserPromptSubmit", "user-prompt-submit", null, 10);
    public static ClaudeCodeHookEvent PostToolUse { get; } = new("PostToolUse", "post-tool-use", "*", 10);
    // Claude Code 2.1 sends a tool call that failed (a command exiting non-zero) here, not to PostToolUse.
    public static ClaudeCodeHookEvent PostToolUseFailure { get; } = new("PostToolUseFailure", "post-tool-use-failure", "*", 10);
    public static ClaudeCodeHookEvent Stop { get; } = new("Stop", "stop", null, 15);
    // Claude Code gives SessionEnd hooks little time whatever the setting says; capture must be quick.
    public static ClaudeCodeHookEvent SessionEnd { get; } = new("SessionEnd", "session-end", null, 5);
    public static ClaudeCodeHookEvent PreCompact { get; } = new("PreCompact", "pre-compact", null, 30);

    /// <summary>Every event Engram installs, in the order they are written.</summary>
    public static IReadOnlyList<ClaudeCodeHookEvent> All { get; } =
        [SessionStart, UserPromptSubmit, PostToolUse, PostToolUseFailure, Stop, SessionEnd, PreCompact];

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
