using Microsoft.Extensions.AI;

namespace Engram.Core.Model;

/// <summary>A request to remember something: one text, or a list of messages (Mem0's shape).</summary>
public sealed record AddMemoryRequest
{
    /// <summary>The text to remember. Either this or <see cref="Messages"/>.</summary>
    public string? Content { get; init; }
    /// <summary>Conversation messages; stored one memory per message unless inference is on.</summary>
    public IReadOnlyList<ChatMessage> Messages { get; init; } = [];
    public MemoryScope Scope { get; init; } = MemoryScope.Default;
    public MemoryKind Kind { get; init; } = MemoryKind.Fact;
    public string? Type { get; init; }
    public string? Title { get; init; }
    public IReadOnlyList<string> Facts { get; init; } = [];
    public IReadOnlyList<string> Concepts { get; init; } = [];
    public IReadOnlyList<string> FilesRead { get; init; } = [];
    public IReadOnlyList<string> FilesModified { get; init; } = [];
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = Memory.EmptyMetadata;
    public MemorySource Source { get; init; } = MemorySource.None;
    public double? Importance { get; init; }
    /// <summary>When the memory became true; defaults to now.</summary>
    public DateTimeOffset? ValidFrom { get; init; }
    /// <summary>When the memory stops being used (Mem0's expiration_date); null: never. Must be in the future.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>The files the memory is about, with their content hash now (see <see cref="FileState"/>).</summary>
    public IReadOnlyList<FileState> FileStates { get; init; } = [];
    /// <summary>
    /// The id of a current memory this one repeats (a near-duplicate observation): the new memory stands for
    /// both, its <see cref="Memory.Occurrences"/> adding up, and the old one is superseded by it, history kept.
    /// </summary>
    public string? Consolidates { get; init; }
    /// <summary>Extract facts with an LLM and reconcile them with existing memories.</summary>
    public bool Infer { get; init; }
    /// <summary>Who is making the change, for history.</summary>
    public string Actor { get; init; } = "user";
}

/// <summary>What an add did to one memory.</summary>
public enum AddOutcome
{
    Added,
    /// <summary>An identical current memory already existed in the scope; it is returned instead.</summary>
    Duplicate,
    /// <summary>Inference replaced an existing memory; this is the new one, the old one is superseded.</summary>
    Updated,
    /// <summary>Inference found an existing memory no longer true; this is that memory, now superseded.</summary>
    Invalidated,
    /// <summary>Inference found the fact already remembered; this is the existing memory.</summary>
    Unchanged,
}

public sealed record AddedMemory(Memory Memory, AddOutcome Outcome)
{
    /// <summary>Mem0's event name for the outcome: ADD, UPDATE, DELETE or NONE.</summary>
    public string EventName => Outcome switch
    {
        AddOutcome.Added => "ADD",
        AddOutcome.Updated => "UPDATE",
        AddOutcome.Invalidated => "DELETE",
        _ => "NONE",
    };

    /// <summary>The outcome an <see cref="EventName"/> stands for (NONE: a duplicate; anything else unknown: added).</summary>
    public static AddOutcome OutcomeOf(string? eventName) => eventName switch
    {
        "UPDATE" => AddOutcome.Updated,
        "DELETE" => AddOutcome.Invalidated,
        "NONE" => AddOutcome.Duplicate,
        _ => AddOutcome.Added,
    };

    /// <summary>For <see cref="AddOutcome.Updated"/>: the memory it replaced.</summary>
    public Memory? Previous { get; init; }
}

/// <summary>The memories an add created or matched, in input order.</summary>
public sealed record AddResult(IReadOnlyList<AddedMemory> Results)
{
    /// <summary>Set when inference was asked for and failed: the input was stored verbatim, marked for re-inference.</summary>
    public string? InferenceError { get; init; }
}

/// <summary>A change to an existing memory. Null fields stay as they are.</summary>
public sealed record MemoryUpdate
{
    public string? Content { get; init; }
    public string? Title { get; init; }
    public string? Type { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    public double? Importance { get; init; }
    public IReadOnlyList<string>? Facts { get; init; }
    public IReadOnlyList<string>? Concepts { get; init; }
    public IReadOnlyList<string>? FilesRead { get; init; }
    public IReadOnlyList<string>? FilesModified { get; init; }
    /// <summary>A new expiry time; see <see cref="ClearExpiry"/> to remove one.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>Removes the expiry time, so the memory never expires.</summary>
    public bool ClearExpiry { get; init; }
    public string Actor { get; init; } = "user";
    public string? Reason { get; init; }
}

/// <summary>A ranked search.</summary>
public sealed record SearchRequest
{
    public required string Query { get; init; }
    public MemoryFilter Filter { get; init; } = new();
    public int Limit { get; init; } = 10;
    /// <summary>Count returned hits as accesses (access statistics feed ranking later).</summary>
    public bool RecordAccess { get; init; } = true;
}

/// <summary>One ranked result with the score and what contributed to it.</summary>
public sealed record SearchHit(Memory Memory, double Score, string Explanation);

/// <summary>Counts for <c>engram stats</c>.</summary>
public sealed record StoreStats
{
    public long Memories { get; init; }
    public long CurrentMemories { get; init; }
    public long HistoryEntries { get; init; }
    public IReadOnlyDictionary<string, long> ByKind { get; init; } = new Dictionary<string, long>();
    public IReadOnlyDictionary<string, long> ByProject { get; init; } = new Dictionary<string, long>();
    public long QueuePending { get; init; }
    public long QueueFailed { get; init; }
    public long Embeddings { get; init; }
    /// <summary>Current memories waiting for a vector (stored since the last embedding pass, or edited).</summary>
    public long PendingEmbeddings { get; init; }
    public long StoreBytes { get; init; }
    public string Location { get; init; } = "";
}
