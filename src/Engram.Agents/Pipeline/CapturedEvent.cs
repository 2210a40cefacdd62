using System.Text;
using System.Text.Json;
using Engram.Agents.ClaudeCode;

namespace Engram.Agents.Pipeline;

/// <summary>A spooled hook event: the envelope the capture hook wrote around the agent's payload.</summary>
public sealed record CapturedEvent(string Id, string Agent, string Event, DateTimeOffset CapturedAt, HookPayload Payload)
{
    /// <summary>The queue's grouping key for one agent session.</summary>
    public string? SessionKey => Payload.SessionId is { Length: > 0 } id ? $"{Agent}:{id}" : null;

    /// <summary>Reads an envelope; null when it is not one (the caller logs and sets it aside).</summary>
    public static CapturedEvent? Parse(string envelope)
    {
        try
        {
            using var document = JsonDocument.Parse(envelope);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            var id = Text(root, "id");
            var agent = Text(root, "agent");
            var name = Text(root, "event");
            if (id is null || agent is null || name is null || !root.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object) return null;
            var captured = root.TryGetProperty("captured_at", out var at) && at.TryGetDateTimeOffset(out var time) ? time : DateTimeOffset.UnixEpoch;
            return new CapturedEvent(id, agent, name, captured, HookPayload.Parse(Encoding.UTF8.GetBytes(payload.GetRawText())));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public ToolEvent Tool => ToolEvent.From(Payload.ToolName, Payload.ToolInputJson, Payload.ToolResponseJson, Payload.Error);

    /// <summary>Whether this is a tool call, succeeded (post-tool-use) or failed (post-tool-use-failure).</summary>
    public bool IsToolCall => Event is "post-tool-use" or "post-tool-use-failure";

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
