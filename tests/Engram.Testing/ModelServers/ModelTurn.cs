using System.Text.Json.Nodes;

namespace Engram.Testing.ModelServers;

/// <summary>
/// One scripted answer of a fake model: a text (the turn ends) or a tool call (the agent runs the tool and asks
/// again). <see cref="FreeformInput"/> is for OpenAI's freeform tools (Codex's <c>apply_patch</c>), whose input is raw text.
/// </summary>
public sealed record ModelTurn(string? Text, string? ToolName, JsonObject? ToolInput, string? FreeformInput)
{
    public static ModelTurn Say(string text) => new(text, null, null, null);

    public static ModelTurn CallTool(string name, JsonObject input) => new(null, name, input, null);

    public static ModelTurn CallFreeformTool(string name, string input) => new(null, name, null, input);

    public bool IsToolCall => ToolName is not null;

    /// <summary>The tool input as JSON text (freeform tools have none).</summary>
    public string InputJson => (ToolInput ?? []).ToJsonString();
}
