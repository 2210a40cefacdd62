namespace Engram.Core.Storage;

/// <summary>A raw event waiting for processing (a captured hook payload, a message to infer from).</summary>
public sealed record QueuedEvent
{
    /// <summary>Store-assigned position; 0 before the event is enqueued.</summary>
    public long Seq { get; init; }
    public string Tenant { get; init; } = Model.MemoryScope.DefaultTenant;
    /// <summary>What the payload is, such as "claude-code/post-tool-use".</summary>
    public required string Kind { get; init; }
    /// <summary>Events with the same key are enqueued once (a tool_use_id, a spool line id).</summary>
    public string? DedupeKey { get; init; }
    public required string Payload { get; init; }
    public DateTimeOffset EnqueuedAt { get; init; }
    public int Attempts { get; init; }
    public string? LastError { get; init; }
    /// <summary>Groups the raw events of one agent session (kept after processing, for summaries and re-processing).</summary>
    public string? SessionKey { get; init; }
    /// <summary>True once the event was processed.</summary>
    public bool IsDone { get; init; }
}

/// <summary>
/// A durable work queue: claim, process, complete. A claim is a lease; work whose lease runs out
/// (a killed worker) is claimed again, and completion is idempotent.
/// </summary>
public interface IEventQueue
{
    /// <summary>Enqueues the event unless one with the same dedupe key exists. Returns false for a duplicate.</summary>
    Task<bool> EnqueueAsync(QueuedEvent queuedEvent, CancellationToken cancellationToken = default);

    /// <summary>Leases up to <paramref name="max"/> pending events, oldest first.</summary>
    Task<IReadOnlyList<QueuedEvent>> ClaimAsync(int max, TimeSpan lease, string worker, CancellationToken cancellationToken = default);

    Task CompleteAsync(long seq, CancellationToken cancellationToken = default);

    /// <summary>Records a failure; the event is retried until it has failed <paramref name="maxAttempts"/> times.</summary>
    Task FailAsync(long seq, string error, int maxAttempts, CancellationToken cancellationToken = default);

    /// <summary>Workers holding unexpired claims (to find claims of workers that died).</summary>
    Task<IReadOnlyList<string>> ListClaimantsAsync(CancellationToken cancellationToken = default);

    /// <summary>Returns a worker's claimed events to the queue at once. Returns how many.</summary>
    Task<int> ReleaseClaimsAsync(string worker, CancellationToken cancellationToken = default);

    /// <summary>Every event of one session, processed or not, in the order they were enqueued.</summary>
    Task<IReadOnlyList<QueuedEvent>> ListSessionAsync(string sessionKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores an event that cannot be processed as it is (undecodable, not an event), already set aside
    /// with its reason: it holds nothing back, shows in the failed count, and can be retried after an upgrade.
    /// Returns false for a duplicate dedupe key.
    /// </summary>
    Task<bool> QuarantineAsync(QueuedEvent queuedEvent, string reason, CancellationToken cancellationToken = default);

    /// <summary>Events set aside (failed for good or quarantined), newest first, with their last error.</summary>
    Task<IReadOnlyList<QueuedEvent>> ListFailedAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>Puts every set-aside event back in the queue with its attempts reset. Returns how many.</summary>
    Task<int> RetryFailedAsync(CancellationToken cancellationToken = default);

    /// <summary>Events not yet completed (pending or leased) and events that failed for good.</summary>
    Task<(long Pending, long Failed)> CountAsync(CancellationToken cancellationToken = default);
}
