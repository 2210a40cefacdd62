using Engram.Core.Model;
using Engram.Core.Services;

namespace Engram.Core.Serialization;

/// <summary>
/// A memory as Engram shows it outside the process: the REST API, the CLI's <c>--json</c>, export files and the
/// remote client all read and write this one shape (snake_case through <see cref="EngramJsonContext"/>). Mem0's
/// <c>id</c>, <c>memory</c>, <c>hash</c>, <c>metadata</c> and times, plus Engram's fields; empty fields are left out.
/// </summary>
public sealed record MemoryItem
{
    public required string Id { get; init; }
    public required string Memory { get; init; }
    /// <summary>Search relevance (search only).</summary>
    public double? Score { get; init; }
    /// <summary>Why it ranked where it did: the signals and their raw scores (search only).</summary>
    public string? Explanation { get; init; }
    /// <summary>What an add did, in Mem0's words (<see cref="AddedMemory.EventName"/>): ADD, UPDATE, DELETE or NONE (add only).</summary>
    public string? Event { get; init; }
    /// <summary>For an add whose event is UPDATE: the id of the memory it replaced (add only).</summary>
    public string? Replaces { get; init; }
    public required string Kind { get; init; }
    public string? Type { get; init; }
    public string? Title { get; init; }
    public required string Tenant { get; init; }
    public string? UserId { get; init; }
    public string? AgentId { get; init; }
    public string? SessionId { get; init; }
    public string? Project { get; init; }
    public required Dictionary<string, string> Metadata { get; init; }
    public List<string>? Facts { get; init; }
    public List<string>? Concepts { get; init; }
    public List<string>? FilesRead { get; init; }
    public List<string>? FilesModified { get; init; }
    /// <summary>Where it came from: the tool call, the raw events, an imported id (left out when none).</summary>
    public MemorySource? Source { get; init; }
    public required string Hash { get; init; }
    public required double Importance { get; init; }
    /// <summary>How often search returned it, and when last: in export files and <c>engram get</c> only (REST leaves them out: every search changes them).</summary>
    public long? AccessCount { get; init; }
    public DateTimeOffset? LastAccessedAt { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public required DateTimeOffset ValidFrom { get; init; }
    public DateTimeOffset? ValidTo { get; init; }
    public string? SupersededBy { get; init; }
    /// <summary>How many near-identical observations this memory stands for (1 unless consolidated).</summary>
    public int Occurrences { get; init; } = 1;
    public DateTimeOffset? ExpiresAt { get; init; }
    /// <summary>The files the memory is about, each with its state when shown.</summary>
    public List<FileStateItem>? FileStates { get; init; }
    /// <summary>fresh, possibly_stale (a file changed since), file_gone, or unchecked (no file recorded); left out in export files.</summary>
    public string? Staleness { get; init; }

    /// <summary>
    /// The item for a memory, as answers show it: the states of its files checked now (a hash per file named).
    /// </summary>
    public static MemoryItem From(Memory m, FileFreshness freshness, double? score = null, string? eventName = null, string? explanation = null, string? replaces = null) =>
        Build(m, freshness) with { Score = score is { } s ? Math.Round(s, 6) : null, Explanation = explanation, Event = eventName, Replaces = replaces };

    /// <summary>The item for an export file: access statistics kept, files left unchecked (no staleness).</summary>
    public static MemoryItem ForExport(Memory m) => Build(m, freshness: null).WithAccessOf(m);

    /// <summary>This item with the access statistics of <paramref name="m"/>.</summary>
    public MemoryItem WithAccessOf(Memory m) => this with { AccessCount = m.AccessCount > 0 ? m.AccessCount : null, LastAccessedAt = m.LastAccessedAt };

    private static MemoryItem Build(Memory m, FileFreshness? freshness) => new()
    {
        Id = m.Id,
        Memory = m.Content,
        Kind = m.Kind.ToWire(),
        Type = m.Type,
        Title = m.Title,
        Tenant = m.Scope.Tenant,
        UserId = Blank(m.Scope.UserId),
        AgentId = Blank(m.Scope.AgentId),
        SessionId = Blank(m.Scope.SessionId),
        Project = Blank(m.Scope.Project),
        Metadata = new Dictionary<string, string>(m.Metadata, StringComparer.Ordinal),
        Facts = m.Facts.Count > 0 ? [.. m.Facts] : null,
        Concepts = m.Concepts.Count > 0 ? [.. m.Concepts] : null,
        FilesRead = m.FilesRead.Count > 0 ? [.. m.FilesRead] : null,
        FilesModified = m.FilesModified.Count > 0 ? [.. m.FilesModified] : null,
        Source = m.Source.IsEmpty ? null : m.Source,
        Hash = m.ContentHash,
        Importance = m.Importance,
        CreatedAt = m.CreatedAt,
        UpdatedAt = m.UpdatedAt,
        ValidFrom = m.ValidFrom,
        ValidTo = m.ValidTo,
        SupersededBy = m.SupersededBy,
        Occurrences = m.Occurrences,
        ExpiresAt = m.ExpiresAt,
        FileStates = m.FileStates.Count == 0 ? null : [.. m.FileStates.Select(f => new FileStateItem
        {
            Path = f.Path,
            Hash = f.Hash,
            StartLine = f.StartLine,
            EndLine = f.EndLine,
            Status = freshness is null ? null : FileFreshness.Name(freshness.Check(f)),
        })],
        Staleness = freshness is null ? null : FileFreshness.Name(freshness.Check(m)),
    };

    /// <summary>The memory this item shows; a kind Engram does not know is refused by name.</summary>
    public Memory ToMemory()
    {
        if (!MemoryKinds.TryParse(Kind, out var kind)) throw new EngramException($"memory {Id} has kind '{Kind}', which is not one of {string.Join(", ", MemoryKinds.All.Select(k => k.ToWire()))}");
        return new Memory
        {
            Id = Id,
            Kind = kind,
            Scope = new MemoryScope { Tenant = Tenant, UserId = UserId ?? "", AgentId = AgentId ?? "", Project = Project ?? "", SessionId = SessionId ?? "" },
            Type = Type,
            Title = Title,
            Content = Memory,
            Facts = Facts ?? [],
            Concepts = Concepts ?? [],
            FilesRead = FilesRead ?? [],
            FilesModified = FilesModified ?? [],
            Metadata = Metadata,
            Source = Source ?? MemorySource.None,
            Importance = Importance,
            AccessCount = AccessCount ?? 0,
            LastAccessedAt = LastAccessedAt,
            Occurrences = Occurrences,
            ExpiresAt = ExpiresAt,
            FileStates = FileStates is null ? [] : [.. FileStates.Select(f => new FileState { Path = f.Path, Hash = f.Hash, StartLine = f.StartLine, EndLine = f.EndLine })],
            CreatedAt = CreatedAt,
            UpdatedAt = UpdatedAt,
            ValidFrom = ValidFrom,
            ValidTo = ValidTo,
            SupersededBy = SupersededBy,
            ContentHash = Hash,
        };
    }

    private static string? Blank(string value) => value.Length == 0 ? null : value;
}

/// <summary>A file a memory is about: its path, hash and lines at capture, and whether it is still so.</summary>
public sealed record FileStateItem
{
    public required string Path { get; init; }
    public required string Hash { get; init; }
    public int? StartLine { get; init; }
    public int? EndLine { get; init; }
    /// <summary>fresh, possibly_stale, file_gone or unchecked; left out in export files.</summary>
    public string? Status { get; init; }
}

/// <summary>A list of memories: REST's list, search and add answers, and the CLI's <c>--json</c> of the same commands.</summary>
public sealed record MemoryListResponse
{
    public required List<MemoryItem> Results { get; init; }
    public int? Page { get; init; }
    public int? PageSize { get; init; }
    /// <summary>The next page number, or null on the last page.</summary>
    public int? NextPage { get; init; }
}
