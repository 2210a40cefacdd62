using System.Text;
using System.Text.Json;
using Engram.Agents.Adapters;
using Engram.Core;

namespace Engram.Agents.Pipeline;

/// <summary>
/// A spooled hook event: the envelope the capture hook wrote around the agent's payload. The payload stays
/// as the agent sent it; <see cref="Read"/> asks the agent's adapter what it means.
/// </summary>
public sealed class CapturedEvent(string id, string agent, string eventName, DateTimeOffset capturedAt, string payloadJson)
{
    private AgentEvent? _read;

    public string Id { get; } = id;
    public string Agent { get; } = agent;
    /// <summary>The event as Engram's command line names it, such as <c>post-tool-use</c>.</summary>
    public string Event { get; } = eventName;
    public DateTimeOffset CapturedAt { get; } = capturedAt;
    /// <summary>The agent's payload, a JSON object as the agent sent it (after the privacy filter).</summary>
    public string PayloadJson { get; } = payloadJson;

    /// <summary>The event in Engram's neutral terms, read by the agent's adapter.</summary>
    /// <exception cref="EngramException">No adapter knows this agent and event (a newer Engram captured it).</exception>
    public AgentEvent Read => _read ??= AgentRegistry.Resolve(Agent, Event) is { } known
        ? known.Adapter.Parse(Event, Encoding.UTF8.GetBytes(PayloadJson))
        : throw new EngramException($"no agent adapter reads '{Agent} {Event}' events (known: {AgentRegistry.Describe()})");

    /// <summary>The queue's grouping key for one agent session.</summary>
    public string? SessionKey => Read.SessionId is { Length: > 0 } session ? $"{Agent}:{session}" : null;

    /// <summary>Whether this is a tool call, succeeded or failed.</summary>
    public bool IsToolCall => Read.Kind == AgentEventKind.ToolCall;

    /// <summary>The tool call of a <see cref="AgentEventKind.ToolCall"/> event (an empty one for any other).</summary>
    public ToolEvent Tool => Read.Tool ?? ToolEvent.From(null, null, null);

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
            return new CapturedEvent(id, agent, name, captured, payload.GetRawText());
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>"agent/event", the queue's kind for an event.</summary>
    public static string KindOf(string agent, string eventName) => $"{agent}/{eventName}";

    /// <summary>The neutral kind of a queue kind ("agent/event"), or null when no adapter knows it.</summary>
    public static AgentEventKind? KindOfQueued(string queueKind)
    {
        var slash = queueKind.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && AgentRegistry.Resolve(queueKind[..slash], queueKind[(slash + 1)..]) is { } known ? known.Kind : null;
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
