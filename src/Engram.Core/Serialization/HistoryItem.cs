using Engram.Core.Model;

namespace Engram.Core.Serialization;

/// <summary>
/// One change to a memory as Engram shows it outside the process: REST, <c>engram history --json</c> and the remote
/// client use this shape (Mem0's history names; the event upper case: ADD, UPDATE, DELETE or SUPERSEDE). Export files
/// keep the stored <see cref="HistoryEntry"/>, which also carries the scope.
/// </summary>
public sealed record HistoryItem
{
    public required string Id { get; init; }
    public required string MemoryId { get; init; }
    /// <summary>ADD, UPDATE, DELETE or SUPERSEDE.</summary>
    public required string Event { get; init; }
    public string? OldMemory { get; init; }
    public string? NewMemory { get; init; }
    public required string ActorId { get; init; }
    public string? Reason { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }

    public static HistoryItem From(HistoryEntry entry) => new()
    {
        Id = entry.Id,
        MemoryId = entry.MemoryId,
        Event = entry.Event.ToString().ToUpperInvariant(),
        OldMemory = entry.OldValue,
        NewMemory = entry.NewValue,
        ActorId = entry.Actor,
        Reason = entry.Reason,
        CreatedAt = entry.At,
    };

    /// <summary>Back to the model (the scope is not part of this shape).</summary>
    public HistoryEntry ToEntry() => new()
    {
        Id = Id,
        MemoryId = MemoryId,
        Event = Enum.TryParse<HistoryEvent>(Event, ignoreCase: true, out var kind)
            ? kind
            : throw new EngramException($"history event '{Event}' is not one of ADD, UPDATE, DELETE, SUPERSEDE"),
        Actor = ActorId,
        At = CreatedAt,
        OldValue = OldMemory,
        NewValue = NewMemory,
        Reason = Reason,
    };
}

/// <summary>A memory's history, oldest first.</summary>
public sealed record HistoryResponse(List<HistoryItem> Results);
