using Engram.Core.Security;
using Engram.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Engram.Sqlite;

public sealed partial class SqliteMemoryStore : IApiKeyStore
{
    public Task CreateApiKeyAsync(ApiKey key, string secretHash, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            using var command = Command(connection, transaction,
                "INSERT INTO api_keys (id, tenant, name, prefix, secret_hash, created_at) VALUES (@id, @tenant, @name, @prefix, @hash, @at)");
            command.Parameters.AddWithValue("@id", key.Id);
            command.Parameters.AddWithValue("@tenant", key.Tenant);
            command.Parameters.AddWithValue("@name", (object?)key.Name ?? DBNull.Value);
            command.Parameters.AddWithValue("@prefix", key.Prefix);
            command.Parameters.AddWithValue("@hash", secretHash);
            command.Parameters.AddWithValue("@at", key.CreatedAt.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<ApiKey?> FindActiveApiKeyAsync(string secretHash, CancellationToken cancellationToken = default)
    {
        var keys = await ReadApiKeysAsync($"SELECT {ApiKeyRows.Columns} FROM api_keys WHERE secret_hash = @hash AND revoked_at IS NULL",
            c => c.Parameters.AddWithValue("@hash", secretHash), cancellationToken);
        return keys.Count == 0 ? null : keys[0];
    }

    public Task<IReadOnlyList<ApiKey>> ListApiKeysAsync(CancellationToken cancellationToken = default) =>
        ReadApiKeysAsync($"SELECT {ApiKeyRows.Columns} FROM api_keys ORDER BY id", _ => { }, cancellationToken);

    public Task<bool> RevokeApiKeyAsync(string id, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            using var command = Command(connection, transaction,
                "UPDATE api_keys SET revoked_at = @at WHERE id = @id COLLATE NOCASE AND revoked_at IS NULL");
            command.Parameters.AddWithValue("@id", id.Trim());
            command.Parameters.AddWithValue("@at", at.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    public async Task<bool> HasActiveApiKeysAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT EXISTS (SELECT 1 FROM api_keys WHERE revoked_at IS NULL)";
            return (long)(await command.ExecuteScalarAsync(cancellationToken))! == 1;
        }
        catch (SqliteException ex)
        {
            throw SqliteErrors.Translate(ex, Path);
        }
    }

    private async Task<IReadOnlyList<ApiKey>> ReadApiKeysAsync(string sql, Action<SqliteCommand> bind, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            bind(command);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var keys = new List<ApiKey>();
            while (await reader.ReadAsync(cancellationToken))
            {
                keys.Add(ApiKeyRows.ReadApiKey(reader));
            }
            return keys;
        }
        catch (SqliteException ex)
        {
            throw SqliteErrors.Translate(ex, Path);
        }
    }
}
