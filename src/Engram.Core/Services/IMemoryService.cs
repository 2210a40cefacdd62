using Engram.Core.Model;

namespace Engram.Core.Services;

/// <summary>
/// Engram's memory operations, with Mem0's verbs: add, search, get, list, update, delete,
/// delete-all, history, reset. Embedded (over a store) and remote (over HTTP) implementations are
/// interchangeable. Reads and writes of one id are confined to the caller's tenant.
/// </summary>
public interface IMemoryService
{
    Task<AddResult> AddAsync(AddMemoryRequest request, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default);

    /// <summary>The memory, current or superseded; null when there is no such memory in the tenant.</summary>
    Task<Memory?> GetAsync(string id, string tenant = MemoryScope.DefaultTenant, CancellationToken cancellationToken = default);

    IAsyncEnumerable<Memory> ListAsync(MemoryFilter filter, int? limit = null, CancellationToken cancellationToken = default);

    /// <summary>Past sessions with a memory in the filter: most recently updated first, or the earliest started first.</summary>
    Task<IReadOnlyList<SessionDigest>> ListSessionsAsync(MemoryFilter filter, int count, bool oldestFirst = false, CancellationToken cancellationToken = default);

    /// <summary>Changes a memory in place and records the old and new value. Throws <see cref="MemoryNotFoundException"/>.</summary>
    Task<Memory> UpdateAsync(string id, MemoryUpdate update, string tenant = MemoryScope.DefaultTenant, CancellationToken cancellationToken = default);

    /// <summary>Deletes a memory; its history stays. False when there was nothing to delete.</summary>
    Task<bool> DeleteAsync(string id, string tenant = MemoryScope.DefaultTenant, string actor = "user", string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes every memory the filter matches (Mem0's delete_all). Returns the count.</summary>
    Task<int> DeleteAllAsync(MemoryFilter filter, string actor = "user", string? reason = null, CancellationToken cancellationToken = default);

    /// <summary>Every change to the memory, oldest first; empty when the id was never known.</summary>
    Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string id, string tenant = MemoryScope.DefaultTenant, CancellationToken cancellationToken = default);

    /// <summary>Erases the whole store: every tenant's memories, history, embeddings and queue.</summary>
    Task ResetAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a current memory with a new one in the same scope and kind: the old one stops being current
    /// (superseded by the new one) and keeps its history. Returns the new memory.
    /// </summary>
    Task<Memory> SupersedeAsync(string id, string content, string tenant = MemoryScope.DefaultTenant, string actor = "user", string? reason = null,
        CancellationToken cancellationToken = default) =>
        throw new EngramException("this memory service cannot supersede memories; use the local store or engram serve");

    /// <summary>
    /// Brings a memory back from its history: a superseded one becomes current again; a deleted one is stored again
    /// under its id with its last text and scope (as <paramref name="kind"/>: the history keeps no kind).
    /// </summary>
    Task<Memory> RestoreAsync(string id, string tenant = MemoryScope.DefaultTenant, string actor = "user", string? reason = null,
        MemoryKind kind = MemoryKind.Fact, CancellationToken cancellationToken = default) =>
        throw new EngramException("this memory service cannot restore memories; use the local store or engram serve");

    /// <summary>
    /// Notes that an agent fetched these memories (get_observations, timeline, a REST or CLI get; <paramref name="via"/>
    /// names which), so an injection that led to the fetch counts as used. Services without an injection record do nothing.
    /// </summary>
    Task NoteFetchedAsync(IReadOnlyCollection<string> ids, string tenant, string via, CancellationToken cancellationToken = default) => Task.CompletedTask;
}
