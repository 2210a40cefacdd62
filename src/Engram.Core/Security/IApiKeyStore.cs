namespace Engram.Core.Security;

/// <summary>
/// Where API keys live. Keys are looked up by the hash of their secret; a revoked key stays listed
/// (with its revocation time) but no longer authenticates.
/// </summary>
public interface IApiKeyStore
{
    /// <summary>Stores a new key under the hash of its secret.</summary>
    Task CreateApiKeyAsync(ApiKey key, string secretHash, CancellationToken cancellationToken = default);

    /// <summary>The active key whose secret has this hash; null when there is none or it was revoked.</summary>
    Task<ApiKey?> FindActiveApiKeyAsync(string secretHash, CancellationToken cancellationToken = default);

    /// <summary>Every key, oldest first, revoked ones included.</summary>
    Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(CancellationToken cancellationToken = default);

    /// <summary>Revokes the key with this id. False when there is no such active key.</summary>
    Task<bool> RevokeApiKeyAsync(string id, DateTimeOffset at, CancellationToken cancellationToken = default);

    /// <summary>True once any active key exists: from then on every server call must present one.</summary>
    Task<bool> HasActiveApiKeysAsync(CancellationToken cancellationToken = default);
}
