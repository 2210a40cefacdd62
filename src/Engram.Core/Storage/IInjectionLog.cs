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
}
