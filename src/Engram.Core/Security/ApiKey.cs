namespace Engram.Core.Security;

/// <summary>
/// An API key's record. The secret itself is never stored: only its SHA-256 hash, and a short
/// prefix so that people can tell their keys apart in <c>engram apikey list</c>.
/// </summary>
public sealed record ApiKey
{
    /// <summary>Time-sortable identifier (a ULID), used to revoke the key.</summary>
    public required string Id { get; init; }
    /// <summary>The only tenant whose data the key can see and change.</summary>
    public required string Tenant { get; init; }
    public string? Name { get; init; }
    /// <summary>The first characters of the secret, safe to show.</summary>
    public required string Prefix { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }

    public bool IsActive => RevokedAt is null;
}
