namespace Engram.Core.Storage;

/// <summary>
/// One memory put in front of an agent: which context (<see cref="ContextId"/>, one per built context, such as
/// the session-start event's id) gave it to which session, at which place in that context, why, and what it cost.
/// </summary>
public sealed record InjectionRecord
{
    public string Tenant { get; init; } = Model.MemoryScope.DefaultTenant;
    public required string SessionId { get; init; }
    /// <summary>One id per context given: the records of one context share it (the session-start event's id).</summary>
    public required string ContextId { get; init; }
    public string Project { get; init; } = "";
    public required string MemoryId { get; init; }
    /// <summary>Place in the context, from 1 (the first memory shown).</summary>
    public required int Rank { get; init; }
    /// <summary>The main signal that put it there: standing, last-session, next-step, decision, unresolved-failure, relevance, recency.</summary>
    public required string Reason { get; init; }
    /// <summary>The signals behind it in words (scores, what matched), for people reading the record.</summary>
    public string Detail { get; init; } = "";
    /// <summary>Estimated tokens its lines took in the context (four characters each).</summary>
    public required int Tokens { get; init; }
    /// <summary>What built the context: session-start, session-start-cached (answered from the ready context), hook-http.</summary>
    public required string Source { get; init; }
    public required DateTimeOffset InjectedAt { get; init; }
    /// <summary>When the agent first fetched this memory after it was given (get_observations, timeline, a REST or CLI get).</summary>
    public DateTimeOffset? FetchedAt { get; init; }
    /// <summary>How it was fetched: the tool or surface (get_observations, timeline, rest, cli).</summary>
    public string? FetchedVia { get; init; }
    /// <summary>When a later tool call of the session first touched a file this memory is about.</summary>
    public DateTimeOffset? ActedAt { get; init; }
    /// <summary>That tool call: the tool and the path ("Edit /repo/src/Cart.cs").</summary>
    public string? ActedOn { get; init; }
}

/// <summary>How one memory fared across the contexts that gave it: how often given, fetched after, acted on after.</summary>
public sealed record InjectionUse(int Injected, int Fetched, int ActedOn)
{
    /// <summary>Whether it ever earned its place: fetched or acted on after some injection.</summary>
    public bool Earned => Fetched > 0 || ActedOn > 0;
}

/// <summary>
/// One project's figures for <c>engram stats</c>: its current memories by kind, and what the contexts gave
/// (injections, distinct memories and sessions, tokens) and how much of that the agents then used.
/// </summary>
public sealed record ProjectUse
{
    public required string Project { get; init; }
    public IReadOnlyDictionary<string, long> MemoriesByKind { get; init; } = new Dictionary<string, long>();
    public long Injections { get; init; }
    public long InjectedMemories { get; init; }
    public long Sessions { get; init; }
    public long TokensInjected { get; init; }
    public long Fetched { get; init; }
    public long ActedOn { get; init; }
    /// <summary>Injections fetched or acted on (either or both).</summary>
    public long Used { get; init; }
}

/// <summary>
/// Which memories were injected into which session, with rank, reason and token cost: the viewer shows it,
/// and ranking can learn from what the agent later used.
/// </summary>
public interface IInjectionLog
{
    /// <summary>Stores the records; a record already stored (same tenant, context and memory) is left as it is.</summary>
    Task RecordInjectionsAsync(IReadOnlyList<InjectionRecord> records, CancellationToken cancellationToken = default);

    /// <summary>Everything injected into one session, oldest context first, then by rank.</summary>
    Task<IReadOnlyList<InjectionRecord>> InjectionsForSessionAsync(string tenant, string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Every time one memory was injected, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<InjectionRecord>> InjectionsOfMemoryAsync(string tenant, string memoryId, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>
    /// Notes that the agent fetched these memories at <paramref name="at"/>: for each, its newest injection of the
    /// day before (a fetch names no session, and the context just given is the one it answers) is marked, if it
    /// was not marked already. Returns how many injections were marked.
    /// </summary>
    Task<int> MarkFetchedAsync(string tenant, IReadOnlyCollection<string> memoryIds, string via, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Notes that a tool call of <paramref name="sessionId"/> acted on these memories (touched their files); the first such call is kept.</summary>
    Task<int> MarkActedOnAsync(string tenant, string sessionId, IReadOnlyCollection<string> memoryIds, string actedOn, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>Per memory (of those given that were ever injected): how often injected, fetched after, acted on after.</summary>
    Task<IReadOnlyDictionary<string, InjectionUse>> UseOfMemoriesAsync(string tenant, IReadOnlyCollection<string> memoryIds, CancellationToken cancellationToken = default);

    /// <summary>Per project, in ordinal order: current memories by kind, and injections with their use.</summary>
    Task<IReadOnlyList<ProjectUse>> UseByProjectAsync(string tenant, CancellationToken cancellationToken = default);
}
