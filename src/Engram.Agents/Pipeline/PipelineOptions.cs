namespace Engram.Agents.Pipeline;

/// <summary>How captured events are processed (section <c>Hooks</c> of settings.json).</summary>
public sealed record PipelineOptions
{
    /// <summary>Tools whose calls are captured but never become observations: bookkeeping, not work.</summary>
    public static readonly IReadOnlyList<string> DefaultSkipTools =
        ["TodoWrite", "TodoRead", "ExitPlanMode", "Task", "BashOutput", "KillShell", "KillBash", "SlashCommand", "AskUserQuestion", "mcp__engram__*"];

    /// <summary>Tool names to skip; a trailing * matches a prefix.</summary>
    public IReadOnlyList<string> SkipTools { get; init; } = DefaultSkipTools;

    /// <summary>Merge repeated observations of a project into one counted memory (see <see cref="RepeatKey"/>).</summary>
    public bool Consolidate { get; init; } = true;

    /// <summary>Failed processing attempts before an event is set aside as failed.</summary>
    public int MaxAttempts { get; init; } = 3;

    public bool Skips(string? toolName) =>
        toolName is null || SkipTools.Any(pattern => pattern.EndsWith('*')
            ? toolName.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : toolName.Equals(pattern, StringComparison.Ordinal));
}
