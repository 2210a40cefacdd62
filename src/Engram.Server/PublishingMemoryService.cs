using System.Text.Json;
using Engram.Core.Model;
using Engram.Core.Services;

namespace Engram.Server;

/// <summary>An <see cref="IMemoryService"/> decorator that tells the event hub about every change made through it.</summary>
internal sealed class PublishingMemoryService(IMemoryService inner, MemoryEventHub hub) : IMemoryService
{
    public async Task<AddResult> AddAsync(AddMemoryRequest request, CancellationToken cancellationToken = default)
    {
        var result = await inner.AddAsync(request, cancellationToken);
        foreach (var added in result.Results.Where(r => r.Outcome == AddOutcome.Added))
        {
            var data = MemoryData(added.Memory);
            hub.Publish(added.Memory.Scope.Tenant, "memory_added", data);
            if (added.Memory.Kind is MemoryKind.Observation) hub.Publish(added.Memory.Scope.Tenant, "observation", data);
            if (added.Memory.Kind is MemoryKind.Summary) hub.Publish(added.Memory.Scope.Tenant, "summary", data);
        }
        return result;
    }

    public Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default) =>
        inner.SearchAsync(request, cancellationToken);

    public Task<Memory?> GetAsync(string id, string tenant = MemoryScope.DefaultTenant, CancellationToken cancellationToken = default) =>
        inner.GetAsync(id, tenant, cancellationToken);

    public IAsyncEnumerable<Memory> ListAsync(MemoryFilter filter, int? limit = null, CancellationToken cancellationToken = default) =>
        inner.ListAsync(filter, limit, cancellationToken);

    public async Task<Memory> UpdateAsync(string id, MemoryUpdate update, string tenant = MemoryScope.DefaultTenant, CancellationToken cancellationToken = default)
    {
        var updated = await inner.UpdateAsync(id, update, tenant, cancellationToken);
        hub.Publish(updated.Scope.Tenant, "memory_updated", MemoryData(updated));
        return updated;
    }

    public async Task<bool> DeleteAsync(string id, string tenant = MemoryScope.DefaultTenant, string actor = "user", string? reason = null, CancellationToken cancellationToken = default)
    {
        var existing = await inner.GetAsync(id, tenant, cancellationToken);
        var deleted = await inner.DeleteAsync(id, tenant, actor, reason, cancellationToken);
        if (deleted) hub.Publish(tenant, "memory_deleted", DeletedData(existing?.Id ?? id));
        return deleted;
    }

    public async Task<int> DeleteAllAsync(MemoryFilter filter, string actor = "user", string? reason = null, CancellationToken cancellationToken = default)
    {
        var ids = new List<string>();
        await foreach (var m in inner.ListAsync(filter with { IncludeSuperseded = true }, null, cancellationToken)) ids.Add(m.Id);
        var count = await inner.DeleteAllAsync(filter, actor, reason, cancellationToken);
        foreach (var id in ids) hub.Publish(filter.Tenant, "memory_deleted", DeletedData(id));
        return count;
    }

    public Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string id, string tenant = MemoryScope.DefaultTenant, CancellationToken cancellationToken = default) =>
        inner.GetHistoryAsync(id, tenant, cancellationToken);

    public Task ResetAsync(CancellationToken cancellationToken = default) => inner.ResetAsync(cancellationToken);

    private static string MemoryData(Memory m) =>
        JsonSerializer.Serialize(new MemoryEventData(m.Id, RestMapping.Item(m)), ServerJsonContext.Default.MemoryEventData);

    private static string DeletedData(string id) =>
        JsonSerializer.Serialize(new DeletedEventData(id), ServerJsonContext.Default.DeletedEventData);
}
