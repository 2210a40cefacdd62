using Engram.Core.Model;

namespace Engram.Core.Security;

/// <summary>
/// Who is calling (through MCP or REST): the tenant every read and write is confined to, and optionally the
/// user whose memories they are (set for a local stdio session, left open for a tenant's API key).
/// </summary>
public sealed record EngramCaller(string Tenant, string? UserId = null)
{
    public static EngramCaller Default { get; } = new(MemoryScope.DefaultTenant);
}
