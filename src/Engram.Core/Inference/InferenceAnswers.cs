using System.Text.Json;

namespace Engram.Core.Inference;

/// <summary>What the reconciler decided for one new fact.</summary>
public enum ReconcileEvent
{
    Add,
    Update,
    Delete,
    Noop,
}

/// <summary>One decision: the event, the existing memory it refers to (by number), and the text for ADD and UPDATE.</summary>
public sealed record ReconcileAction(ReconcileEvent Event, int? Ref, string? Text);

/// <summary>
/// Strict readers of the model's answers: anything outside the schema is an error with a reason, which the
/// caller sends back once before giving up. A code fence around the JSON is tolerated; nothing else is.
/// </summary>
public static class InferenceAnswers
{
    public static IReadOnlyList<string> ParseFacts(string answer)
    {
        using var document = Parse(answer);
        if (!document.RootElement.TryGetProperty("facts", out var facts) || facts.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("the answer must be an object with a \"facts\" array");
        }
        var list = new List<string>();
        foreach (var fact in facts.EnumerateArray())
        {
            if (fact.ValueKind != JsonValueKind.String) throw new FormatException("every fact must be a string");
            var text = fact.GetString()!.Trim();
            if (text.Length > 0) list.Add(text);
        }
        return list;
    }

    public static IReadOnlyList<ReconcileAction> ParseActions(string answer, int factCount, int existingCount)
    {
        using var document = Parse(answer);
        if (!document.RootElement.TryGetProperty("actions", out var actions) || actions.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("the answer must be an object with an \"actions\" array");
        }
        var list = new List<ReconcileAction>();
        foreach (var action in actions.EnumerateArray())
        {
            if (action.ValueKind != JsonValueKind.Object) throw new FormatException("every action must be an object");
            var name = action.TryGetProperty("event", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString()!.Trim().ToUpperInvariant() : null;
            var kind = name switch
            {
                "ADD" => ReconcileEvent.Add,
                "UPDATE" => ReconcileEvent.Update,
                "DELETE" => ReconcileEvent.Delete,
                "NOOP" or "NONE" => ReconcileEvent.Noop,
                _ => throw new FormatException($"unknown event '{name}'; use ADD, UPDATE, DELETE or NOOP"),
            };
            int? reference = null;
            if (action.TryGetProperty("ref", out var r) && r.ValueKind == JsonValueKind.Number)
            {
                reference = r.GetInt32();
                if (reference < 0 || reference >= existingCount) throw new FormatException($"ref {reference} is not one of the memories given (0 to {existingCount - 1})");
            }
            var text = action.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()!.Trim() : null;
            if (kind is ReconcileEvent.Add or ReconcileEvent.Update && string.IsNullOrEmpty(text)) throw new FormatException($"{name} needs a \"text\"");
            if (kind is ReconcileEvent.Update or ReconcileEvent.Delete or ReconcileEvent.Noop && reference is null) throw new FormatException($"{name} needs a \"ref\"");
            list.Add(new ReconcileAction(kind, reference, text));
        }
        if (list.Count > factCount) throw new FormatException($"{list.Count} actions for {factCount} facts");
        return list;
    }

    private static JsonDocument Parse(string answer)
    {
        var text = answer.Trim();
        if (text.StartsWith("```", StringComparison.Ordinal))
        {
            var firstLine = text.IndexOf('\n', StringComparison.Ordinal);
            var lastFence = text.LastIndexOf("```", StringComparison.Ordinal);
            if (firstLine > 0 && lastFence > firstLine) text = text[(firstLine + 1)..lastFence].Trim();
        }
        try
        {
            var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object) return document;
            document.Dispose();
            throw new FormatException("the answer must be one JSON object");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"the answer is not JSON ({ex.Message})", ex);
        }
    }
}
