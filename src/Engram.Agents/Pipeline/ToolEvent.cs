using System.Text.Json;

namespace Engram.Agents.Pipeline;

/// <summary>The parts of a tool call the compressor reads, pulled out of the raw tool input and response JSON.</summary>
public sealed record ToolEvent(string ToolName, JsonElement Input, JsonElement Response, string? Error)
{
    public static ToolEvent From(string? toolName, string? inputJson, string? responseJson, string? error = null) =>
        new(toolName ?? "unknown", ParseOrUndefined(inputJson), ParseOrUndefined(responseJson), error);

    /// <summary>A tool call in the neutral vocabulary, built from string fields (an adapter's translation of its agent's call).</summary>
    public static ToolEvent Neutral(string toolName, IEnumerable<(string Name, string Value)> input, IEnumerable<(string Name, string Value)>? response = null, string? error = null) =>
        From(toolName, JsonSerializer.Serialize(input.ToDictionary(p => p.Name, p => p.Value), PipelineJson.Default.DictionaryStringString),
            response is null ? null : JsonSerializer.Serialize(response.ToDictionary(p => p.Name, p => p.Value), PipelineJson.Default.DictionaryStringString), error);

    /// <summary>A path an agent gave relative to its working folder, made absolute.</summary>
    public static string Absolute(string file, string? cwd) =>
        Path.IsPathRooted(file) || string.IsNullOrEmpty(cwd) ? file : Path.GetFullPath(Path.Combine(cwd, file));

    public string? InputString(string name) => StringProperty(Input, name);

    public string? ResponseString(string name) => StringProperty(Response, name);

    /// <summary>The response as text: a JSON string, or the named fields joined, or the raw JSON.</summary>
    public string ResponseText()
    {
        if (Response.ValueKind == JsonValueKind.String) return Response.GetString() ?? "";
        if (Response.ValueKind == JsonValueKind.Undefined || Response.ValueKind == JsonValueKind.Null) return "";
        return Response.GetRawText();
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
                _ => null,
            }
            : null;

    private static JsonElement ParseOrUndefined(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return default;
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            using var document = JsonDocument.Parse(JsonSerializer.Serialize(json, Engram.Agents.Pipeline.PipelineJson.Default.String));
            return document.RootElement.Clone();
        }
    }
}
