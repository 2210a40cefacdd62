using Engram.Core.Model;

namespace Engram.Core.Storage;

/// <summary>One recorded change, with its position in the store's history.</summary>
public sealed record ChangeRecord(long Seq, HistoryEntry Entry);

/// <summary>
/// Every change to every memory, in the order the store recorded it, whichever process made it (a hook,
/// the worker, the CLI, the server). Feeds the live event stream; positions let a reader resume.
/// </summary>
public interface IChangeFeed
{
    /// <summary>Up to <paramref name="max"/> changes recorded after position <paramref name="afterSeq"/>, oldest first.</summary>
    Task<IReadOnlyList<ChangeRecord>> ReadChangesAsync(long afterSeq, int max, CancellationToken cancellationToken = default);

    /// <summary>The position of the latest change (0 when there is none).</summary>
    Task<long> LatestChangeSeqAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits until a change may have been recorded, at most <paramref name="timeout"/> on the store's clock. A
    /// store that can be told about changes (PostgreSQL's LISTEN/NOTIFY) returns early; others just wait, and
    /// the reader polls. True when woken by a notification.
    /// </summary>
    Task<bool> WaitForChangesAsync(TimeSpan timeout, CancellationToken cancellationToken = default);
}
