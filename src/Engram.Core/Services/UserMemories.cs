using Engram.Core.Model;
using Engram.Core.Security;

namespace Engram.Core.Services;

/// <summary>
/// The user's explicit memories (Claude.ai's <c>userMemories</c>): short standing instructions and facts, kept as
/// blocks of the caller's tenant and user, numbered in the order they were added, and injected into every session.
/// </summary>
public sealed class UserMemories(IMemoryService memory, EngramCaller caller, string actor)
{
    public const int MaxCount = 50;
    public const int MaxLength = 500;

    /// <summary>The user memories, oldest first: line 1 is the first.</summary>
    public async Task<List<Memory>> ListAsync(CancellationToken cancellationToken)
    {
        var list = new List<Memory>();
        var filter = new MemoryFilter { Tenant = caller.Tenant, UserId = string.IsNullOrWhiteSpace(caller.UserId) ? null : caller.UserId.Trim(), Kinds = [MemoryKind.Block] };
        await foreach (var m in memory.ListAsync(filter, MaxCount * 2, cancellationToken)) list.Add(m);
        list.Sort((a, b) => a.CreatedAt != b.CreatedAt ? a.CreatedAt.CompareTo(b.CreatedAt) : string.CompareOrdinal(a.Id, b.Id));
        return list;
    }

    /// <summary>Adds one; an identical one already there is returned as a duplicate.</summary>
    public async Task<AddedMemory> AddAsync(IReadOnlyList<Memory> current, string? text, CancellationToken cancellationToken)
    {
        var content = Text(text, "add");
        if (current.Count >= MaxCount) throw new EngramException($"there are already {MaxCount} user memories; remove or replace one first");
        var added = await memory.AddAsync(new AddMemoryRequest
        {
            Content = content,
            Kind = MemoryKind.Block,
            Scope = new MemoryScope { Tenant = caller.Tenant, UserId = caller.UserId ?? "" },
            Importance = 1,
            Actor = actor,
        }, cancellationToken);
        return added.Results[0];
    }

    public Task<Memory> ReplaceAsync(IReadOnlyList<Memory> current, int? lineNumber, string? text, CancellationToken cancellationToken)
    {
        var target = Line(current, lineNumber, "replace");
        var content = Text(text, "replace");
        return memory.UpdateAsync(target.Id, new MemoryUpdate { Content = content, Actor = actor, Reason = "memory_user_edits replace" }, caller.Tenant, cancellationToken);
    }

    /// <summary>Deletes one; returns it as it was.</summary>
    public async Task<Memory> RemoveAsync(IReadOnlyList<Memory> current, int? lineNumber, CancellationToken cancellationToken)
    {
        var target = Line(current, lineNumber, "remove");
        await memory.DeleteAsync(target.Id, caller.Tenant, actor, "memory_user_edits remove", cancellationToken);
        return target;
    }

    private static Memory Line(IReadOnlyList<Memory> current, int? lineNumber, string command)
    {
        if (lineNumber is null) throw new EngramException($"{command} needs line_number; call view to see the numbers");
        if (lineNumber < 1 || lineNumber > current.Count)
        {
            throw new EngramException(current.Count == 0
                ? "there are no user memories yet"
                : $"line_number {lineNumber} is out of range; there are {current.Count} lines (1 to {current.Count})");
        }
        return current[lineNumber.Value - 1];
    }

    private static string Text(string? text, string command)
    {
        var content = text?.Trim() ?? "";
        if (content.Length == 0) throw new EngramException($"{command} needs text");
        if (content.Length > MaxLength) throw new EngramException($"text has {content.Length} characters; keep a user memory under {MaxLength}");
        return content;
    }
}
