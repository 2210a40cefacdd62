using System.Runtime.CompilerServices;
using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Services;

namespace Engram.Eval.Tests;

/// <summary>
/// An in-memory service that records every call. Identical content in one scope is one memory (as in
/// the real service), and search returns what <see cref="Rank"/> says, cut to the requested limit.
/// </summary>
internal sealed class RecordingMemoryService : IMemoryService
{
    private int _next;

    public List<AddMemoryRequest> Adds { get; } = [];
    public List<SearchRequest> Searches { get; } = [];
    public List<Memory> Memories { get; } = [];

    /// <summary>The ranking returned for a query; all memories, newest first, when not set.</summary>
    public Func<SearchRequest, IReadOnlyList<Memory>>? Rank { get; set; }

    public Task<AddResult> AddAsync(AddMemoryRequest request, CancellationToken cancellationToken = default)
    {
        Adds.Add(request);
        var existing = Memories.FirstOrDefault(m => m.Scope == request.Scope && m.Content == request.Content);
        if (existing is not null) return Task.FromResult(new AddResult([new AddedMemory(existing, AddOutcome.Duplicate)]));
        var now = DateTimeOffset.UnixEpoch;
        var memory = new Memory
        {
            Id = $"m{_next++:D4}",
            Kind = request.Kind,
            Scope = request.Scope,
            Content = request.Content ?? "",
            Metadata = request.Metadata,
            Source = request.Source,
            CreatedAt = now,
            UpdatedAt = now,
            ValidFrom = request.ValidFrom ?? now,
            ContentHash = "h",
        };
        Memories.Add(memory);
        return Task.FromResult(new AddResult([new AddedMemory(memory, AddOutcome.Added)]));
    }

    public Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        Searches.Add(request);
        var ranked = Rank?.Invoke(request) ?? Memories.Where(request.Filter.Matches).Reverse().ToList();
        IReadOnlyList<SearchHit> hits = ranked.Take(request.Limit).Select((m, i) => new SearchHit(m, 1.0 / (i + 1), "")).ToList();
        return Task.FromResult(hits);
    }

    public Task<int> DeleteAllAsync(MemoryFilter filter, string actor = "user", string? reason = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(Memories.RemoveAll(filter.Matches));

    public async IAsyncEnumerable<Memory> ListAsync(MemoryFilter filter, int? limit = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        foreach (var m in Memories.Where(filter.Matches).Take(limit ?? int.MaxValue)) yield return m;
    }

    public Task<IReadOnlyList<SessionDigest>> ListSessionsAsync(MemoryFilter filter, int count, bool oldestFirst = false, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the LoCoMo evaluation never lists sessions");

    public Task<Memory?> GetAsync(string id, string tenant = MemoryScope.DefaultTenant, CancellationToken cancellationToken = default) =>
        Task.FromResult(Memories.FirstOrDefault(m => m.Id == id));

    public Task<Memory> UpdateAsync(string id, MemoryUpdate update, string tenant = MemoryScope.DefaultTenant, CancellationToken cancellationToken = default) =>
        throw new EngramException("not used by the benchmark");

    public Task<bool> DeleteAsync(string id, string tenant = MemoryScope.DefaultTenant, string actor = "user", string? reason = null, CancellationToken cancellationToken = default) =>
        throw new EngramException("not used by the benchmark");

    public Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string id, string tenant = MemoryScope.DefaultTenant, CancellationToken cancellationToken = default) =>
        throw new EngramException("not used by the benchmark");

    public Task ResetAsync(CancellationToken cancellationToken = default) =>
        throw new EngramException("not used by the benchmark");
}
