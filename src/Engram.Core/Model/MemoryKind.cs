using System.Text.Json.Serialization;

namespace Engram.Core.Model;

/// <summary>What a memory is. Stored and shown as its lower-case name.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<MemoryKind>))]
public enum MemoryKind
{
    /// <summary>A distilled record of work done in a session (a tool call, an edit, a failure).</summary>
    [JsonStringEnumMemberName("observation")] Observation,
    /// <summary>A session summary: request, what was learned and done, next steps.</summary>
    [JsonStringEnumMemberName("summary")] Summary,
    /// <summary>An atomic fact about the user, the project or the world.</summary>
    [JsonStringEnumMemberName("fact")] Fact,
    /// <summary>A prompt the user typed.</summary>
    [JsonStringEnumMemberName("prompt")] Prompt,
    /// <summary>A conversation message kept verbatim.</summary>
    [JsonStringEnumMemberName("message")] Message,
    /// <summary>An explicit, always-injected memory block the user or agent edits.</summary>
    [JsonStringEnumMemberName("block")] Block,
}

/// <summary>Conversions between <see cref="MemoryKind"/> and its wire name.</summary>
public static class MemoryKinds
{
    /// <summary>All kinds, in declaration order.</summary>
    public static IReadOnlyList<MemoryKind> All { get; } = Enum.GetValues<MemoryKind>();

    /// <summary>The lower-case name used in storage, JSON and the CLI.</summary>
    public static string ToWire(this MemoryKind kind) => kind switch
    {
        MemoryKind.Observation => "observation",
        MemoryKind.Summary => "summary",
        MemoryKind.Fact => "fact",
        MemoryKind.Prompt => "prompt",
        MemoryKind.Message => "message",
        MemoryKind.Block => "block",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Parses a wire name, case-insensitively.</summary>
    public static bool TryParse(string? text, out MemoryKind kind)
    {
        foreach (var k in All)
        {
            if (string.Equals(k.ToWire(), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }
        kind = default;
        return false;
    }

    /// <summary>Parses a wire name or throws an error that lists the valid names.</summary>
    public static MemoryKind Parse(string text) => TryParse(text, out var kind)
        ? kind
        : throw new EngramException($"unknown memory kind '{text}'; expected one of: {string.Join(", ", All.Select(k => k.ToWire()))}");
}
