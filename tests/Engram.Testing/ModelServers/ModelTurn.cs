using System.Text.Json.Nodes;

namespace Engram.Testing.ModelServers;

/// <summary>
/// One scripted answer of a fake model: a text (the turn ends) or a tool call (the agent runs the tool and asks
/// again). <see cref="FreeformInput"/> is for OpenAI's freeform tools (Codex's <c>apply_patch</c>), whose input is raw text;
/// <see cref="Namespace"/> for a function inside an OpenAI namespace tool (Codex offers an MCP server's tools as <c>mcp__NAME</c>).
/// </summary>
public sealed record ModelTurn(string? Text, string? ToolName, JsonObject? ToolInput, string? FreeformInput, string? Namespace = null)
{
    public static ModelTurn Say(string text) => new(text, null, null, null);

    public static ModelTurn CallTool(string name, JsonObject input, string? inNamespace = null) => new(null, name, input, null, inNamespace);

    public static ModelTurn CallFreeformTool(string name, string input) => new(null, name, null, input);

    public bool IsToolCall => ToolName is not null;

    /// <summary>The tool input as JSON text (freeform tools have none).</summary>
    public string InputJson => (ToolInput ?? []).ToJsonString();
}
