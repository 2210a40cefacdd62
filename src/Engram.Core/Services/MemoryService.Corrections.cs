using Engram.Core.Model;

namespace Engram.Core.Services;

/// <summary>Corrections a person makes to what is remembered: replace a memory with a new one, or bring one back from its history.</summary>
public sealed partial class MemoryService
{
    public async Task<Memory> SupersedeAsync(string id, string content, string tenant = MemoryScope.DefaultTenant, string actor = "user", string? reason = null,
        CancellationToken cancellationToken = default)
    {
        var old = await _store.GetAsync(tenant, MemoryId.Normalize(id), cancellationToken) ?? throw new MemoryNotFoundException(id);
        if (!old.IsCurrent) throw new EngramException($"memory {id} was already superseded by {old.SupersededBy ?? "a newer memory"}; supersede the current one instead");
        var added = (await AddAsync(new AddMemoryRequest
        {
            Content = content,
            Kind = old.Kind,
            Scope = old.Scope,
            Type = old.Type,
            Title = old.Title,
            // The new memory names the one it replaced, so a reader can walk back to it.
            Metadata = new Dictionary<string, string>(old.Metadata, StringComparer.Ordinal) { ["supersedes"] = old.Id },
            Importance = old.Importance,
            FilesRead = old.FilesRead,
            FilesModified = old.FilesModified,
            Actor = actor,
        }, cancellationToken)).Results[0].Memory;
        if (added.Id == old.Id) throw new EngramException($"the new text is the same as memory {id}'s; nothing to supersede");
        var now = Now();
        var ended = old with { ValidTo = now, SupersededBy = added.Id, UpdatedAt = now };
        await _store.UpdateAsync(ended, NewHistory(ended, HistoryEvent.Supersede, actor, old.Content, added.Content, reason), cancellationToken);
        return added;
    }

    public async Task<Memory> RestoreAsync(string id, string tenant = MemoryScope.DefaultTenant, string actor = "user", string? reason = null,
        MemoryKind kind = MemoryKind.Fact, CancellationToken cancellationToken = default)
    {
        var normalized = MemoryId.Normalize(id);
        var now = Now();
        if (await _store.GetAsync(tenant, normalized, cancellationToken) is { } existing)
        {
            if (existing.IsCurrent) throw new EngramException($"memory {id} is current; there is nothing to restore (edit it to change its text)");
            var current = existing with { ValidTo = null, SupersededBy = null, UpdatedAt = now };
            await _store.UpdateAsync(current, NewHistory(current, HistoryEvent.Update, actor, existing.Content, existing.Content, Restored(reason)), cancellationToken);
            return current;
        }
        var history = await _store.GetHistoryAsync(tenant, normalized, cancellationToken);
        var deletion = history.LastOrDefault(h => h.Event == HistoryEvent.Delete && h.OldValue is not null)
            ?? throw new MemoryNotFoundException(id);
        var added = history.FirstOrDefault(h => h.Event == HistoryEvent.Add);
        // The history keeps texts and scopes, not every field: the memory comes back with its last text, its scope and first time.
        var memory = new Memory
        {
            Id = normalized,
            Scope = deletion.Scope,
            Kind = kind,
            Content = deletion.OldValue!,
            ContentHash = ContentHash.Compute(kind, deletion.OldValue!),
            CreatedAt = added?.At ?? now,
            UpdatedAt = now,
            ValidFrom = added?.At ?? now,
        };
        var (stored, inserted) = await _store.InsertAsync(memory, NewHistory(memory, HistoryEvent.Add, actor, null, memory.Content, Restored(reason)), cancellationToken);
        if (!inserted) throw new EngramException($"memory {id} says the same as memory {stored.Id}, which is current; nothing to restore");
        return stored;
    }

    private static string Restored(string? reason) => "restored from history" + (Blank(reason) is { } why ? ": " + why : "");
}
