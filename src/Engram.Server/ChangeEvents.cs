using System.Text.Json;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Core.Storage;

namespace Engram.Server;

/// <summary>Turns recorded changes into stream events: memory_added (and observation or summary), memory_updated, memory_deleted.</summary>
internal static class ChangeEvents
{
    public static async Task<IReadOnlyList<ServerEvent>> ToEventsAsync(ChangeRecord change, IMemoryService memory, CancellationToken cancellationToken)
    {
        var entry = change.Entry;
        var tenant = entry.Scope.Tenant;
        var current = entry.Event == HistoryEvent.Delete ? null : await memory.GetAsync(entry.MemoryId, tenant, cancellationToken);
        var data = JsonSerializer.Serialize(new ChangeEventData
        {
            Id = entry.MemoryId,
            OldMemory = entry.OldValue,
            NewMemory = entry.NewValue,
            Actor = entry.Actor,
            Reason = entry.Reason,
            At = entry.At,
            Memory = current is null ? null : RestMapping.Item(current),
        }, ServerJsonContext.Default.ChangeEventData);
        var type = entry.Event switch
        {
            HistoryEvent.Add => "memory_added",
            HistoryEvent.Delete => "memory_deleted",
            _ => "memory_updated",
        };
        var events = new List<ServerEvent>(2) { new(change.Seq, tenant, type, data) };
        if (entry.Event == HistoryEvent.Add && current?.Kind == MemoryKind.Observation) events.Add(new ServerEvent(change.Seq, tenant, "observation", data));
        if (entry.Event == HistoryEvent.Add && current?.Kind == MemoryKind.Summary) events.Add(new ServerEvent(change.Seq, tenant, "summary", data));
        return events;
    }
}
