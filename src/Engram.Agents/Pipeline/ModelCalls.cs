using System.Text.Json;
using Engram.Core.Chat;
using Microsoft.Extensions.AI;

namespace Engram.Agents.Pipeline;

/// <summary>What the pipeline's model calls share: JSON-mode options tagged with a purpose, prompt resources, answer readers.</summary>
internal static class ModelCalls
{
    public static ChatOptions JsonOptions(string purpose, string? model) => new()
    {
        ResponseFormat = ChatResponseFormat.Json,
        Temperature = 0,
        ModelId = model,
        AdditionalProperties = new AdditionalPropertiesDictionary { [UsageTrackingChatClient.PurposeKey] = purpose },
    };

    /// <summary>A prompt shipped as Pipeline/Prompts/NAME (versioned in its file name).</summary>
    public static string Prompt(string fileName)
    {
        var assembly = typeof(ModelCalls).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith("." + fileName, StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        return reader.ReadToEnd().Trim();
    }

    public static JsonDocument ParseAnswer(string answer) => JsonDocument.Parse(answer.Trim().Trim('`'));

    public static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Trim().Length > 0 ? v.GetString()!.Trim() : null;

    public static List<string> List(JsonElement item, string name, int max, int width) =>
        item.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => OfflineCompressor.Cut(e.GetString()!.Trim(), width)).Where(s => s.Length > 0).Take(max).ToList()
            : [];
}
