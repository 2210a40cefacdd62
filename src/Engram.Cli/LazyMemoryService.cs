using System.Runtime.CompilerServices;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Hosting;

namespace Engram.Cli;

/// <summary>
/// An <see cref="IMemoryService"/> that opens the runtime (settings, store, models) on its first call.
/// <c>engram mcp</c> uses it so the agent's <c>initialize</c> and <c>tools/list</c> are answered before
/// any of that is loaded; a broken setting then surfaces as the first tool call's error.
/// </summary>
internal sealed class LazyMemoryService(Func<CancellationToken, Task<EngramRuntime>> open) : IMemoryService, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private EngramRuntime? _runtime;

    private async Task<IMemoryService> MemoryAsync(CancellationToken cancellationToken)
    {
        if (_runtime is { } ready) return ready.Memory;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _runtime ??= await open(cancellationToken);
            return _runtime.Memory;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<AddResult> AddAsync(AddMemoryRequest request, CancellationToken cancellationToken = default) =>
        await (await MemoryAsync(cancellationToken)).AddAsync(request, cancellationToken);

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default) =>
        await (await MemoryAsync(cancellationToken)).SearchAsync(request, cancellationToken);

    public async Task<Memory?> GetAsync(string id, string tenant = MemoryScope.DefaultTenant, CancellationToken cancellationToken = default) =>
        await (await MemoryAsync(cancellationToken)).GetAsync(id, tenant, cancellationToken);

    public async IAsyncEnumerable<Memory> ListAsync(MemoryFilter filter, int? limit = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var memory = await MemoryAsync(cancellationToken);
        await foreach (var item in memory.ListAsync(filter, limit, cancellationToken)) yield return item;
    }

    public async Task<IReadOnlyList<SessionDigest>> ListSessionsAsync(MemoryFilter filter, int count, bool oldestFirst = false, CancellationToken cancellationToken = default) =>
        await (await MemoryAsync(cancellationToken)).ListSessionsAsync(filter, count, oldestFirst, cancellationToken);

    public async Task<Memory> UpdateAsync(string id, MemoryUpdate update, string tenant = MemoryScope.DefaultTenant, CancellationToken cancellationToken = default) =>
        await (await MemoryAsync(cancellationToken)).UpdateAsync(id, update, tenant, cancellationToken);

    public async Task<bool> DeleteAsync(string id, string tenant = MemoryScope.DefaultTenant, string actor = "user", string? reason = null, CancellationToken cancellationToken = default) =>
        await (await MemoryAsync(cancellationToken)).DeleteAsync(id, tenant, actor, reason, cancellationToken);

    public async Task<int> DeleteAllAsync(MemoryFilter filter, string actor = "user", string? reason = null, CancellationToken cancellationToken = default) =>
        await (await MemoryAsync(cancellationToken)).DeleteAllAsync(filter, actor, reason, cancellationToken);

    public async Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string id, string tenant = MemoryScope.DefaultTenant, CancellationToken cancellationToken = default) =>
        await (await MemoryAsync(cancellationToken)).GetHistoryAsync(id, tenant, cancellationToken);

    public async Task ResetAsync(CancellationToken cancellationToken = default) =>
        await (await MemoryAsync(cancellationToken)).ResetAsync(cancellationToken);

    public async Task<Memory> SupersedeAsync(string id, string content, string tenant = MemoryScope.DefaultTenant, string actor = "user", string? reason = null,
        CancellationToken cancellationToken = default) =>
        await (await MemoryAsync(cancellationToken)).SupersedeAsync(id, content, tenant, actor, reason, cancellationToken);

    public async Task<Memory> RestoreAsync(string id, string tenant = MemoryScope.DefaultTenant, string actor = "user", string? reason = null,
        MemoryKind kind = MemoryKind.Fact, CancellationToken cancellationToken = default) =>
        await (await MemoryAsync(cancellationToken)).RestoreAsync(id, tenant, actor, reason, kind, cancellationToken);

    public async Task NoteFetchedAsync(IReadOnlyCollection<string> ids, string tenant, string via, CancellationToken cancellationToken = default) =>
        await (await MemoryAsync(cancellationToken)).NoteFetchedAsync(ids, tenant, via, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_runtime is not null) await _runtime.DisposeAsync();
        _gate.Dispose();
    }
}
