using Engram.Core.Security;
using Engram.Core.Storage;
using Npgsql;

namespace Engram.Postgres;

public sealed partial class PostgresMemoryStore
{
    public Task CreateApiKeyAsync(ApiKey key, string secretHash, CancellationToken cancellationToken = default) =>
        ExecuteAsync("INSERT INTO api_keys (id, tenant, name, prefix, secret_hash, created_at) VALUES (@id, @tenant, @name, @prefix, @hash, @at)",
            p =>
            {
                p.AddWithValue("id", key.Id);
                p.AddWithValue("tenant", key.Tenant);
                PostgresRows.Text(p, "name", key.Name);
                p.AddWithValue("prefix", key.Prefix);
                p.AddWithValue("hash", secretHash);
                p.AddWithValue("at", key.CreatedAt.ToUnixTimeMilliseconds());
            }, cancellationToken);

    public async Task<ApiKey?> FindActiveApiKeyAsync(string secretHash, CancellationToken cancellationToken = default)
    {
        var keys = await ReadApiKeysAsync($"SELECT {ApiKeyRows.Columns} FROM api_keys WHERE secret_hash = @hash AND revoked_at IS NULL",
            p => p.AddWithValue("hash", secretHash), cancellationToken);
        return keys.Count == 0 ? null : keys[0];
    }

    public Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(CancellationToken cancellationToken = default) =>
        ReadApiKeysAsync($"SELECT {ApiKeyRows.Columns} FROM api_keys ORDER BY id", _ => { }, cancellationToken);

    public async Task<bool> RevokeApiKeyAsync(string id, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        // Ids are ULIDs, case-insensitive as the SQLite store treats them.
        await ExecuteAsync("UPDATE api_keys SET revoked_at = @at WHERE upper(id) = upper(@id) AND revoked_at IS NULL",
            p =>
            {
                p.AddWithValue("id", id.Trim());
                p.AddWithValue("at", at.ToUnixTimeMilliseconds());
            }, cancellationToken) > 0;

    public Task<bool> HasActiveApiKeysAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(async connection =>
        {
            await using var command = Command(connection, null, "SELECT EXISTS (SELECT 1 FROM api_keys WHERE revoked_at IS NULL)");
            return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    private Task<IReadOnlyList<ApiKey>> ReadApiKeysAsync(string sql, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<ApiKey>>(async connection =>
        {
            await using var command = Command(connection, null, sql);
            bind(command.Parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var keys = new List<ApiKey>();
            while (await reader.ReadAsync(cancellationToken))
            {
                keys.Add(ApiKeyRows.ReadApiKey(reader));
            }
            return keys;
        }, cancellationToken);
}
