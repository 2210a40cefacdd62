using Engram.Agents.Adapters;

namespace Engram.Agents.Gemini;

/// <summary>One Gemini CLI hook event Engram installs: Gemini's name, Engram's name, matcher, time limit (milliseconds) and meaning.</summary>
public sealed record GeminiHookEvent(string Name, string CommandName, string? Matcher, int TimeoutMilliseconds, AgentEventKind Kind)
{
    public const string Agent = "gemini";

    /// <summary>
    /// Every event Engram installs. PreCompress is left out: Gemini CLI 0.61 fires it before every model call,
    /// compressing or not, so it marks nothing.
    /// </summary>
    public static IReadOnlyList<GeminiHookEvent> All { get; } =
    [
        new("SessionStart", "session-start", null, 15_000, AgentEventKind.SessionStart),
        new("BeforeAgent", "before-agent", null, 10_000, AgentEventKind.Prompt),
        new("AfterTool", "after-tool", "*", 10_000, AgentEventKind.ToolCall),
        new("AfterAgent", "after-agent", null, 15_000, AgentEventKind.AssistantAnswer),
        new("SessionEnd", "session-end", null, 5_000, AgentEventKind.SessionEnd),
    ];
}
