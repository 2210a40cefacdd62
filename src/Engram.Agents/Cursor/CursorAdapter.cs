using System.Text;
using System.Text.Json;
using Engram.Agents.Adapters;
using Engram.Agents.Pipeline;

namespace Engram.Agents.Cursor;

/// <summary>
/// Cursor: hooks in <c>hooks.json</c> (<c>{"version":1,"hooks":{"afterShellExecution":[{"command":...}]}}</c>), payloads
/// with <c>conversation_id</c> and <c>workspace_roots</c> and a shape per event (shapes from Cursor's hooks
/// documentation; no Cursor runs here). Cursor's hooks cannot add to the model's context, so context goes back
/// through a rules file, <c>.cursor/rules/engram-context.mdc</c>, that the worker keeps current.
/// </summary>
public sealed class CursorAdapter : IAgentAdapter, IContextFileAdapter
{
    public const string Agent = "cursor";

    public string Name => Agent;

    public string DisplayName => "Cursor";

    public IReadOnlyDictionary<string, AgentEventKind> Events { get; } =
        CursorHooksFile.Events.ToDictionary(e => e.CommandName, e => e.Kind, StringComparer.Ordinal);

    public IAgentInstaller Installer { get; } = new CursorInstaller();

    public AgentEvent Parse(string eventName, ReadOnlySpan<byte> payload)
    {
        var kind = Events.TryGetValue(eventName, out var k) ? k : AgentEventKind.Ignored;
        try
        {
            using var document = JsonDocument.Parse(payload.ToArray(), new JsonDocumentOptions { AllowTrailingCommas = true });
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return new AgentEvent { Kind = kind, ParseError = "the hook payload is not a JSON object" };
            var cwd = root.TryGetProperty("workspace_roots", out var roots) && roots.ValueKind == JsonValueKind.Array && roots.GetArrayLength() > 0
                && roots[0].ValueKind == JsonValueKind.String ? roots[0].GetString() : null;
            return new AgentEvent
            {
                Kind = kind,
                SessionId = Text(root, "conversation_id"),
                Cwd = cwd,
                TranscriptPath = Text(root, "transcript_path"),
                Prompt = kind == AgentEventKind.Prompt ? Text(root, "prompt") : null,
                Tool = kind == AgentEventKind.ToolCall ? Tool(eventName, root) : null,
                AssistantMessage = kind == AgentEventKind.AssistantAnswer ? Text(root, "text") : null,
            };
        }
        catch (JsonException e)
        {
            return new AgentEvent { Kind = kind, ParseError = $"the hook payload is not valid JSON: {e.Message}" };
        }
    }

    private static ToolEvent Tool(string eventName, JsonElement root)
    {
        switch (eventName)
        {
            case "after-shell-execution":
                var exit = root.TryGetProperty("exit_code", out var code) && code.TryGetInt32(out var c) ? c : (int?)null;
                var output = Text(root, "output") ?? "";
                return ToolEvent.From("Bash", Json(w => w.WriteString("command", Text(root, "command") ?? "")),
                    Json(w => w.WriteString("stdout", output)), exit is > 0 ? $"Exit code {exit}\n{output}".TrimEnd() : null);
            case "after-file-edit":
                return ToolEvent.From("Edit", Json(w =>
                {
                    w.WriteString("file_path", Text(root, "file_path") ?? "");
                    if (root.TryGetProperty("edits", out var edits) && edits.ValueKind == JsonValueKind.Array)
                    {
                        w.WritePropertyName("edits");
                        edits.WriteTo(w);
                    }
                }), null);
            default:
                // An MCP tool: Cursor sends its input and result as JSON text.
                return ToolEvent.From(Text(root, "tool_name") is { } tool ? "MCP:" + tool : "MCP", Text(root, "tool_input"), Text(root, "result_json"));
        }
    }

    public string? ContextFile(string projectRoot) =>
        Directory.Exists(Path.Combine(projectRoot, ".cursor")) ? Path.Combine(projectRoot, ".cursor", "rules", "engram-context.mdc") : null;

    public byte[] RenderContextFile(string context) => Encoding.UTF8.GetBytes(
        "---\ndescription: What Engram remembers from earlier sessions in this project (kept current by engram; do not edit)\nalwaysApply: true\n---\n\n"
        + (context.Length == 0 ? "Engram has nothing remembered for this project yet.\n" : context + "\n"));

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Json(Action<Utf8JsonWriter> members)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
