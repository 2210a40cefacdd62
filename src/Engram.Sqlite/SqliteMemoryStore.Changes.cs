using Engram.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Engram.Sqlite;

public sealed partial class SqliteMemoryStore : IChangeFeed
{
    /// <summary>SQLite cannot announce a commit to another process: the reader polls.</summary>
    public async Task<bool> WaitForChangesAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await Task.Delay(timeout, _time, cancellationToken);
        return false;
    }

    public async Task<IReadOnlyList<ChangeRecord>> ReadChangesAsync(long afterSeq, int max, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {MemoryRows.HistoryColumns}, h.seq FROM history h WHERE h.seq > @after ORDER BY h.seq LIMIT @max";
            command.Parameters.AddWithValue("@after", afterSeq);
            command.Parameters.AddWithValue("@max", max);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var changes = new List<ChangeRecord>();
            while (await reader.ReadAsync(cancellationToken))
            {
                changes.Add(new ChangeRecord(reader.GetInt64(13), MemoryRows.ReadHistory(reader)));
            }
            return changes;
        }
        catch (SqliteException ex)
        {
            throw SqliteErrors.Translate(ex, Path);
        }
    }

    public async Task<IReadOnlyList<string>> ListTenantsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT tenant FROM memories UNION SELECT tenant FROM history ORDER BY 1";
        var tenants = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) tenants.Add(reader.GetString(0));
        return tenants;
    }

    public async Task<long> LatestChangeSeqAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM history";
            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (SqliteException ex)
        {
            throw SqliteErrors.Translate(ex, Path);
        }
    }
}
