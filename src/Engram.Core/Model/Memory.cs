namespace Engram.Core.Model;

/// <summary>
/// One stored memory. A memory is current while <see cref="ValidTo"/> is null; a superseded
/// memory keeps its row and history but is no longer returned as current.
/// </summary>
public sealed record Memory
{
    /// <summary>Time-sortable identifier (a ULID).</summary>
    public required string Id { get; init; }
    public required MemoryKind Kind { get; init; }
    public MemoryScope Scope { get; init; } = MemoryScope.Default;

    /// <summary>Observation type, such as bugfix, feature, decision or discovery; free text for other kinds.</summary>
    public string? Type { get; init; }
    public string? Title { get; init; }
    public required string Content { get; init; }

    public IReadOnlyList<string> Facts { get; init; } = [];
    public IReadOnlyList<string> Concepts { get; init; } = [];
    public IReadOnlyList<string> FilesRead { get; init; } = [];
    public IReadOnlyList<string> FilesModified { get; init; } = [];
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = EmptyMetadata;

    /// <summary>Where the memory came from: tool call id, raw event ids.</summary>
    public MemorySource Source { get; init; } = MemorySource.None;

    /// <summary>0 (trivia) to 1 (essential). 0.5 when nobody said otherwise.</summary>
    public double Importance { get; init; } = 0.5;
    public long AccessCount { get; init; }
    public DateTimeOffset? LastAccessedAt { get; init; }

    /// <summary>How many near-identical observations this memory stands for: 1, unless the worker merged repeats into it.</summary>
    public int Occurrences { get; init; } = 1;
    /// <summary>When the memory stops being used (Mem0's expiration_date): it then leaves search and context. Null: never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>The files the memory is about, with their content hash when it was made (see <see cref="FileState"/>).</summary>
    public IReadOnlyList<FileState> FileStates { get; init; } = [];

    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    /// <summary>When the memory became true (for a conversation message: when it was said).</summary>
    public required DateTimeOffset ValidFrom { get; init; }
    /// <summary>When the memory stopped being true; null while it is current.</summary>
    public DateTimeOffset? ValidTo { get; init; }
    public string? SupersededBy { get; init; }

    /// <summary>Hash of kind and normalised content; equal hashes in one scope are duplicates.</summary>
    public required string ContentHash { get; init; }

    public bool IsCurrent => ValidTo is null;

    /// <summary>True once <see cref="ExpiresAt"/> has passed at <paramref name="now"/>.</summary>
    public bool IsExpiredAt(DateTimeOffset now) => ExpiresAt is { } expires && expires <= now;

    internal static readonly IReadOnlyDictionary<string, string> EmptyMetadata =
        new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>References to what produced a memory.</summary>
public sealed record MemorySource
{
    public static MemorySource None { get; } = new();

    public string? ToolUseId { get; init; }
    public IReadOnlyList<string> EventIds { get; init; } = [];
    /// <summary>An identifier in an external system (an import source row, a dataset turn id).</summary>
    public string? ExternalId { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => ToolUseId is null && EventIds.Count == 0 && ExternalId is null;
}
