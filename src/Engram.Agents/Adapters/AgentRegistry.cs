using Engram.Agents.ClaudeCode;

namespace Engram.Agents.Adapters;

/// <summary>The agents Engram integrates; the one list to extend when adding an agent.</summary>
public static class AgentRegistry
{
    public static IReadOnlyList<IAgentAdapter> All { get; } =
    [
        new ClaudeCodeAdapter(),
        new Codex.CodexAdapter(),
        new Gemini.GeminiAdapter(),
        new Cursor.CursorAdapter(),
    ];

    /// <summary>The adapter for an agent name, or null.</summary>
    public static IAgentAdapter? Find(string? name) =>
        name is null ? null : All.FirstOrDefault(a => a.Name.Equals(name, StringComparison.Ordinal));

    /// <summary>The adapter and the neutral kind of an agent's event, or null when either is unknown.</summary>
    public static (IAgentAdapter Adapter, AgentEventKind Kind)? Resolve(string? agent, string? eventName) =>
        Find(agent) is { } adapter && eventName is not null && adapter.Events.TryGetValue(eventName, out var kind) ? (adapter, kind) : null;

    /// <summary>Every agent's events, for messages: "claude-code &lt;session-start|...&gt;; codex &lt;...&gt;".</summary>
    public static string Describe() =>
        string.Join("; ", All.Select(a => $"{a.Name} <{string.Join('|', a.Events.Keys)}>"));
}
