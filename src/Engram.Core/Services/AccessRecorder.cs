using System.Collections.Concurrent;
using Engram.Core.Storage;

namespace Engram.Core.Services;

/// <summary>
/// Search hits counted in memory and written to the store later, in one batch, off the search path: a search
/// never takes the write lock, so it is not held up by a writer in another process, and works on a full disk.
/// Access statistics are soft: a batch that cannot be written (a held lock, a full disk) is kept for the
/// next flush, and what a process has not flushed when it is killed is lost.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "SemaphoreSlim holds no OS handle unless AvailableWaitHandle is read, which it never is here")]
public sealed class AccessRecorder(IMemoryStore store, TimeProvider time)
{
    /// <summary>How long after the first unrecorded hit a flush starts on its own.</summary>
    public static readonly TimeSpan FlushDelay = TimeSpan.FromSeconds(2);

    private ConcurrentDictionary<string, MemoryAccess> _pending = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private int _scheduled;

    /// <summary>Hits not yet written.</summary>
    public int Pending => _pending.Count;

    public void Record(IEnumerable<string> ids, DateTimeOffset at)
    {
        foreach (var id in ids)
        {
            _pending.AddOrUpdate(id, static (id, at) => new MemoryAccess(id, 1, at),
                static (_, old, at) => old with { Count = old.Count + 1, LastAt = at > old.LastAt ? at : old.LastAt }, at);
        }
        if (Interlocked.Exchange(ref _scheduled, 1) == 0) _ = FlushLaterAsync();
    }

    private async Task FlushLaterAsync()
    {
        try
        {
            await Task.Delay(FlushDelay, time);
            Interlocked.Exchange(ref _scheduled, 0);
            await FlushAsync(CancellationToken.None);
        }
        catch (Exception)
        {
            // Kept for the next flush; statistics must never fail a search.
        }
    }

    /// <summary>Writes every pending hit in one transaction; on failure they stay pending.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            var batch = Interlocked.Exchange(ref _pending, new ConcurrentDictionary<string, MemoryAccess>(StringComparer.Ordinal));
            if (batch.IsEmpty) return;
            try
            {
                await store.RecordAccessAsync(batch.Values.ToList(), cancellationToken);
            }
            catch
            {
                foreach (var access in batch.Values)
                {
                    _pending.AddOrUpdate(access.Id, access, (_, newer) => newer with { Count = newer.Count + access.Count });
                }
                throw;
            }
        }
        finally
        {
            _flushing.Release();
        }
    }
}
