using System.Text.Json.Serialization;

namespace Engram.Core.Model;

/// <summary>What happened to a memory.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<HistoryEvent>))]
public enum HistoryEvent
{
    [JsonStringEnumMemberName("add")] Add,
    [JsonStringEnumMemberName("update")] Update,
    [JsonStringEnumMemberName("delete")] Delete,
    /// <summary>The memory stopped being current because a newer one replaced it.</summary>
    [JsonStringEnumMemberName("supersede")] Supersede,
}

/// <summary>One change to one memory: who, when, old value, new value, why.</summary>
public sealed record HistoryEntry
{
    public required string Id { get; init; }
    public required string MemoryId { get; init; }
    /// <summary>The memory's scope at the time of the change, so history can be exported and reset by scope.</summary>
    public MemoryScope Scope { get; init; } = MemoryScope.Default;
    public required HistoryEvent Event { get; init; }
    public required string Actor { get; init; }
    public required DateTimeOffset At { get; init; }
    public string? OldValue { get; init; }
    public string? NewValue { get; init; }
    public string? Reason { get; init; }
}
