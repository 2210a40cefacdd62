using Engram.Core.Model;

namespace Engram.Core.Storage;

/// <summary>
/// Persistence for memories, their history and their embeddings. Every store (SQLite, PostgreSQL)
/// passes the same conformance suite. Writes that change a memory record their history entry in
/// the same transaction, so a memory never changes without a trace.
/// </summary>
public interface IMemoryStore : IAsyncDisposable
{
    /// <summary>A short description of where data lives, for diagnostics (a file path, a server).</summary>
    string Location { get; }

    /// <summary>Creates or upgrades the schema. Safe to call from several processes at once.</summary>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Inserts a memory with its "add" history entry, unless a current memory with the same scope, kind
    /// and content hash exists, in which case nothing is written and that memory is returned.
    /// </summary>
    Task<(Memory Memory, bool Inserted)> InsertAsync(Memory memory, HistoryEntry history, CancellationToken cancellationToken = default);

    /// <summary>Replaces a memory's fields (matched by id and tenant) and appends a history entry.</summary>
    Task UpdateAsync(Memory memory, HistoryEntry history, CancellationToken cancellationToken = default);

    /// <summary>Deletes a memory and its embedding; the history, with this last entry, stays.</summary>
    Task<bool> DeleteAsync(string tenant, string id, HistoryEntry history, CancellationToken cancellationToken = default);

    /// <summary>Deletes every memory the filter matches, recording a history entry for each. Returns the count.</summary>
    Task<int> DeleteManyAsync(MemoryFilter filter, Func<Memory, HistoryEntry> history, CancellationToken cancellationToken = default);

    Task<Memory?> GetAsync(string tenant, string id, CancellationToken cancellationToken = default);

    /// <summary>Memories the filter matches, newest first (by valid time, then id).</summary>
    IAsyncEnumerable<Memory> ListAsync(MemoryFilter filter, int? limit = null, CancellationToken cancellationToken = default);

    /// <summary>Memories the filter matches in the order they happened (valid time, then id).</summary>
    IAsyncEnumerable<Memory> ListChronologicalAsync(MemoryFilter filter, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sessions with a memory the filter matches, grouped in the store: most recently updated first, or the
    /// earliest started first. Each counts only the memories the filter matches.
    /// </summary>
    Task<IReadOnlyList<SessionDigest>> ListSessionsAsync(MemoryFilter filter, int count, bool oldestFirst, CancellationToken cancellationToken = default);

    /// <summary>Every history entry of one memory, oldest first. Works after the memory is deleted.</summary>
    Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string tenant, string memoryId, CancellationToken cancellationToken = default);

    /// <summary>History entries whose memory no longer exists, for a lossless export.</summary>
    IAsyncEnumerable<HistoryEntry> ListOrphanHistoryAsync(MemoryFilter filter, CancellationToken cancellationToken = default);

    /// <summary>
    /// Full-text candidates: memories matching any of the terms, best first by BM25 (higher is better).
    /// Terms are plain words; the store quotes them, so no query syntax can leak through.
    /// </summary>
    Task<IReadOnlyList<(Memory Memory, double Score)>> SearchTextAsync(IReadOnlyList<string> terms, MemoryFilter filter, int limit, CancellationToken cancellationToken = default);

    /// <summary>Stores (or replaces) the embedding of a memory.</summary>
    Task SetEmbeddingAsync(string memoryId, string model, ReadOnlyMemory<float> vector, CancellationToken cancellationToken = default);

    /// <summary>Stores (or replaces) several embeddings; a store may write them in one transaction.</summary>
    async Task SetEmbeddingsAsync(IReadOnlyList<(string MemoryId, ReadOnlyMemory<float> Vector)> vectors, string model, CancellationToken cancellationToken = default)
    {
        foreach (var (id, vector) in vectors) await SetEmbeddingAsync(id, model, vector, cancellationToken);
    }

    /// <summary>Nearest memories by cosine similarity among those with an embedding of this model.</summary>
    Task<IReadOnlyList<(Memory Memory, double Similarity)>> SearchVectorAsync(ReadOnlyMemory<float> query, string model, MemoryFilter filter, int limit, CancellationToken cancellationToken = default);

    /// <summary>Current memories of the tenant without an embedding of this model and size (none, or another model's).</summary>
    IAsyncEnumerable<Memory> ListMissingEmbeddingsAsync(string tenant, string model, int dimensions, CancellationToken cancellationToken = default);

    /// <summary>
    /// Current memories of any tenant that wait for a vector (new, or text changed since), oldest first:
    /// what the worker embeds in batches. Stores that do not track this answer with the default tenant's
    /// memories that have no vector of <paramref name="model"/>.
    /// </summary>
    async Task<IReadOnlyList<Memory>> ListPendingEmbeddingsAsync(string model, int dimensions, int limit, CancellationToken cancellationToken = default)
    {
        var pending = new List<Memory>();
        await foreach (var memory in ListMissingEmbeddingsAsync(MemoryScope.DefaultTenant, model, dimensions, cancellationToken))
        {
            pending.Add(memory);
            if (pending.Count == limit) break;
        }
        return pending;
    }

    /// <summary>
    /// Which of these memories (ids) have no vector of this model and size yet: just added and waiting for the worker,
    /// or stored while the provider was down. A store that cannot tell answers none.
    /// </summary>
    Task<IReadOnlySet<string>> WithoutVectorsAsync(IReadOnlyCollection<string> ids, string model, int dimensions, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlySet<string>>(new HashSet<string>());

    /// <summary>Whether any memory has a vector of this model (a one-shot search loads no model when none has).</summary>
    Task<bool> HasEmbeddingsAsync(string model, CancellationToken cancellationToken = default) => Task.FromResult(true);

    /// <summary>Adds each batch's count to its memory's access count and moves its last access forward.</summary>
    Task RecordAccessAsync(IReadOnlyCollection<MemoryAccess> accesses, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes an imported memory and its history as they are (ids, times, validity). Entries already
    /// present are left alone, so importing twice changes nothing. Returns true when the memory was new.
    /// </summary>
    Task<bool> ImportAsync(Memory? memory, IReadOnlyList<HistoryEntry> history, CancellationToken cancellationToken = default);

    Task<StoreStats> GetStatsAsync(string tenant, CancellationToken cancellationToken = default);

    /// <summary>Deletes everything: memories, history, embeddings and the queue, in every tenant.</summary>
    Task ResetAsync(CancellationToken cancellationToken = default);
}

/// <summary>Hits of one memory collected since the last flush: how many, and the latest.</summary>
public sealed record MemoryAccess(string Id, int Count, DateTimeOffset LastAt);
