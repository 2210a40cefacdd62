namespace Engram.Core.Model;

/// <summary>
/// Who and what a memory belongs to. Empty strings mean "not set": stores keep them
/// as empty strings, never NULL, so that scope equality (and duplicate detection) is exact.
/// </summary>
public sealed record MemoryScope
{
    /// <summary>The tenant used when none is given: a single-user install has only this one.</summary>
    public const string DefaultTenant = "default";

    public string Tenant { get; init; } = DefaultTenant;
    public string UserId { get; init; } = "";
    public string AgentId { get; init; } = "";
    public string Project { get; init; } = "";
    public string SessionId { get; init; } = "";

    /// <summary>The scope with every empty field, in the default tenant.</summary>
    public static MemoryScope Default { get; } = new();

    /// <summary>A copy with null fields replaced by empty strings and surrounding white space removed.</summary>
    public MemoryScope Normalized() => new()
    {
        Tenant = string.IsNullOrWhiteSpace(Tenant) ? DefaultTenant : Tenant.Trim(),
        UserId = UserId?.Trim() ?? "",
        AgentId = AgentId?.Trim() ?? "",
        Project = Project?.Trim() ?? "",
        SessionId = SessionId?.Trim() ?? "",
    };

    public override string ToString()
    {
        var parts = new List<string>(5) { $"tenant={Tenant}" };
        if (UserId.Length > 0) parts.Add($"user={UserId}");
        if (AgentId.Length > 0) parts.Add($"agent={AgentId}");
        if (Project.Length > 0) parts.Add($"project={Project}");
        if (SessionId.Length > 0) parts.Add($"session={SessionId}");
        return string.Join(' ', parts);
    }
}
