namespace Engram.Core.Model;

/// <summary>
/// Which memories an operation sees. Every set field must match exactly; unset fields match anything
/// within the tenant. A tenant is always applied.
/// </summary>
public sealed record MemoryFilter
{
    public string Tenant { get; init; } = MemoryScope.DefaultTenant;
    public string? UserId { get; init; }
    public string? AgentId { get; init; }
    public string? Project { get; init; }
    public string? SessionId { get; init; }
    /// <summary>Empty means every kind.</summary>
    public IReadOnlyList<MemoryKind> Kinds { get; init; } = [];
    /// <summary>Inclusive lower bound on <see cref="Memory.ValidFrom"/>.</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>Exclusive upper bound on <see cref="Memory.ValidFrom"/>.</summary>
    public DateTimeOffset? Until { get; init; }
    /// <summary>Metadata entries that must all be present with these exact values.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = Memory.EmptyMetadata;
    /// <summary>Also return superseded memories (those with a <see cref="Memory.ValidTo"/>).</summary>
    public bool IncludeSuperseded { get; init; }
    /// <summary>
    /// When set, memories whose <see cref="Memory.ExpiresAt"/> is at or before this time are left out. The
    /// memory service sets it to now for searches and lists, so expired memories leave search and context.
    /// </summary>
    public DateTimeOffset? ActiveAt { get; init; }

    /// <summary>True when a scope field narrows the tenant.</summary>
    public bool HasScope => !string.IsNullOrEmpty(UserId) || !string.IsNullOrEmpty(AgentId)
        || !string.IsNullOrEmpty(Project) || !string.IsNullOrEmpty(SessionId);

    /// <summary>A filter that matches exactly this scope (unset scope fields stay unset).</summary>
    public static MemoryFilter For(MemoryScope scope) => new()
    {
        Tenant = scope.Tenant,
        UserId = NullIfEmpty(scope.UserId),
        AgentId = NullIfEmpty(scope.AgentId),
        Project = NullIfEmpty(scope.Project),
        SessionId = NullIfEmpty(scope.SessionId),
    };

    /// <summary>True when the memory passes this filter (used by stores that filter in memory and by tests).</summary>
    public bool Matches(Memory memory)
    {
        var s = memory.Scope;
        if (s.Tenant != Tenant) return false;
        if (!string.IsNullOrEmpty(UserId) && s.UserId != UserId) return false;
        if (!string.IsNullOrEmpty(AgentId) && s.AgentId != AgentId) return false;
        if (!string.IsNullOrEmpty(Project) && s.Project != Project) return false;
        if (!string.IsNullOrEmpty(SessionId) && s.SessionId != SessionId) return false;
        if (Kinds.Count > 0 && !Kinds.Contains(memory.Kind)) return false;
        if (Since is { } since && memory.ValidFrom < since) return false;
        if (Until is { } until && memory.ValidFrom >= until) return false;
        if (!IncludeSuperseded && !memory.IsCurrent) return false;
        if (ActiveAt is { } activeAt && memory.IsExpiredAt(activeAt)) return false;
        foreach (var (key, value) in Metadata)
        {
            if (!memory.Metadata.TryGetValue(key, out var actual) || actual != value) return false;
        }
        return true;
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
