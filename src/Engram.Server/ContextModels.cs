namespace Engram.Server;

/// <summary>One memory given to a session: the injection record, with what the memory says now (null fields when it is gone).</summary>
public sealed record InjectionItem
{
    public required string ContextId { get; init; }
    public required string Source { get; init; }
    public required DateTimeOffset InjectedAt { get; init; }
    public string? Project { get; init; }
    public required string MemoryId { get; init; }
    public required int Rank { get; init; }
    public required string Reason { get; init; }
    public string? Detail { get; init; }
    public required int Tokens { get; init; }
    /// <summary>False when the memory was deleted or superseded since.</summary>
    public required bool Current { get; init; }
    public string? Kind { get; init; }
    public string? Title { get; init; }
    public string? Memory { get; init; }
    /// <summary>When the agent first fetched it after this context, and how (get_observations, timeline, rest, cli).</summary>
    public DateTimeOffset? FetchedAt { get; init; }
    public string? FetchedVia { get; init; }
    /// <summary>When a later tool call of the session first touched its file, and that call ("Edit /path").</summary>
    public DateTimeOffset? ActedAt { get; init; }
    public string? ActedOn { get; init; }
}

/// <summary>GET /api/v1/sessions/{id}/injections.</summary>
public sealed record InjectionListResponse
{
    public required string SessionId { get; init; }
    public required int TotalTokens { get; init; }
    public required List<InjectionItem> Results { get; init; }
}

/// <summary>A memory in a previewed context: where it sits and why.</summary>
public sealed record PreviewItem(string MemoryId, int Rank, string Reason, string Detail, int Tokens);

/// <summary>GET /api/v1/context/preview: the context a new session in the project would be given within the budget.</summary>
public sealed record ContextPreviewResponse
{
    public required string Project { get; init; }
    public required int MaxTokens { get; init; }
    public required string Context { get; init; }
    public required int Characters { get; init; }
    public required int EstimatedTokens { get; init; }
    public required List<PreviewItem> Memories { get; init; }
}

/// <summary>POST /api/v1/memories/{id}/supersede: the text of the memory that replaces it, and why.</summary>
public sealed record SupersedeBody
{
    public string? Text { get; init; }
    public string? Reason { get; init; }
}

/// <summary>POST /api/v1/memories/{id}/restore: why, and for a deleted memory its kind (the history keeps none; fact when not given).</summary>
public sealed record RestoreBody
{
    public string? Reason { get; init; }
    public string? Kind { get; init; }
}

/// <summary>GET /api/v1/context: the context text, as <c>engram context --json</c> prints it.</summary>
public sealed record ContextTextResponse(string Context, int Characters, int EstimatedTokens);
