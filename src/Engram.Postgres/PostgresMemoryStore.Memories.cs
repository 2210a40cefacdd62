using System.Runtime.CompilerServices;
using Engram.Core.Model;
using Engram.Core.Storage;
using Engram.Core;
using Npgsql;

namespace Engram.Postgres;

public sealed partial class PostgresMemoryStore
{
    public Task<(Memory Memory, bool Inserted)> InsertAsync(Memory memory, HistoryEntry history, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            long seq;
            await using (var insert = Command(connection, transaction, PostgresRows.InsertMemorySql))
            {
                PostgresRows.BindMemory(insert, memory);
                if (await insert.ExecuteScalarAsync(cancellationToken) is not long inserted)
                {
                    var existing = await FindCurrentDuplicateAsync(connection, transaction, memory, cancellationToken)
                        ?? await FindBySourceKeyAsync(connection, transaction, memory, cancellationToken)
                        ?? throw new EngramException($"memory {memory.Id} already exists");
                    return (existing, false);
                }
                seq = inserted;
            }
            await InsertHistoryAsync(connection, transaction, history, cancellationToken);
            await RefreshNeighboursAsync(connection, transaction, memory, seq, cancellationToken);
            return (memory, true);
        }, cancellationToken);

    public Task UpdateAsync(Memory memory, HistoryEntry history, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            // Writers hold the history lock, so this check cannot race another writer.
            if (memory.ValidTo is null && await FindCurrentDuplicateAsync(connection, transaction, memory, cancellationToken) is { } twin)
            {
                throw new EngramException($"memory {twin.Id} in the same scope already says exactly this; delete one of them instead");
            }
            var textGone = await MessageTextChangesAsync(connection, transaction, memory, cancellationToken);
            long seq;
            await using (var update = Command(connection, transaction,
                $"UPDATE memories SET {MemoryRows.UpdateMemorySet} " +
                "WHERE id = @id AND tenant = @tenant RETURNING seq"))
            {
                PostgresRows.BindMemory(update, memory);
                seq = await update.ExecuteScalarAsync(cancellationToken) as long? ?? throw new MemoryNotFoundException(memory.Id);
            }
            await InsertHistoryAsync(connection, transaction, history, cancellationToken);
            await RefreshNeighboursAsync(connection, transaction, memory, seq, cancellationToken, textGone);
            return true;
        }, cancellationToken);

    public Task<bool> DeleteAsync(string tenant, string id, HistoryEntry history, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            await using var delete = Command(connection, transaction,
                $"DELETE FROM memories m WHERE m.id = @id AND m.tenant = @tenant RETURNING {MemoryRows.MemoryColumns}, m.seq");
            delete.Parameters.AddWithValue("id", id);
            delete.Parameters.AddWithValue("tenant", tenant);
            if (await MemoryRows.ReadWithSeqAsync(delete, cancellationToken) is not [var (doomed, seq)]) return false;
            await InsertHistoryAsync(connection, transaction, history, cancellationToken);
            await RefreshNeighboursAsync(connection, transaction, doomed, seq, cancellationToken, textGone: true);
            return true;
        }, cancellationToken);

    public Task<int> DeleteManyAsync(MemoryFilter filter, Func<Memory, HistoryEntry> history, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            await using var delete = Command(connection, transaction, "");
            delete.CommandText = $"DELETE FROM memories m WHERE {PgFilter.Where(filter, delete)} RETURNING {MemoryRows.MemoryColumns}, m.seq";
            var doomed = await MemoryRows.ReadWithSeqAsync(delete, cancellationToken);
            doomed.Sort((a, b) => a.Seq.CompareTo(b.Seq));
            foreach (var (memory, seq) in doomed)
            {
                await InsertHistoryAsync(connection, transaction, history(memory), cancellationToken);
                await RefreshNeighboursAsync(connection, transaction, memory, seq, cancellationToken, textGone: true);
            }
            return doomed.Count;
        }, cancellationToken);

    public Task<Memory?> GetAsync(string tenant, string id, CancellationToken cancellationToken = default) =>
        ReadAsync(async connection =>
        {
            await using var command = Command(connection, null, $"SELECT {MemoryRows.MemoryColumns} FROM memories m WHERE m.id = @id AND m.tenant = @tenant");
            command.Parameters.AddWithValue("id", id);
            command.Parameters.AddWithValue("tenant", tenant);
            return await MemoryRows.ReadOneAsync(command, cancellationToken);
        }, cancellationToken);

    public IAsyncEnumerable<Memory> ListAsync(MemoryFilter filter, int? limit = null, CancellationToken cancellationToken = default) =>
        QueryMemoriesAsync(filter, "ORDER BY m.valid_from DESC, m.id DESC", limit, cancellationToken);

    public IAsyncEnumerable<Memory> ListChronologicalAsync(MemoryFilter filter, CancellationToken cancellationToken = default) =>
        QueryMemoriesAsync(filter, "ORDER BY m.valid_from, m.id", null, cancellationToken);

    public Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string tenant, string memoryId, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<HistoryEntry>>(async connection =>
        {
            await using var command = Command(connection, null, MemoryRows.HistoryOfMemorySql);
            command.Parameters.AddWithValue("id", memoryId);
            command.Parameters.AddWithValue("tenant", tenant);
            return await MemoryRows.ReadHistoryAsync(command, cancellationToken).ToListAsync(cancellationToken);
        }, cancellationToken);

    public async IAsyncEnumerable<HistoryEntry> ListOrphanHistoryAsync(MemoryFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "");
        command.CommandText = MemoryRows.OrphanHistorySql(PgFilter.HistoryWhere(filter, command));
        await foreach (var entry in MemoryRows.ReadHistoryAsync(command, cancellationToken)) yield return entry;
    }

    public Task RecordAccessAsync(IReadOnlyCollection<MemoryAccess> accesses, CancellationToken cancellationToken = default)
    {
        if (accesses.Count == 0) return Task.CompletedTask;
        // One statement for the batch; rows are locked in id order, so two flushes never deadlock each other.
        var batch = accesses.GroupBy(a => a.Id, StringComparer.Ordinal)
            .Select(g => (Id: g.Key, Count: g.Sum(a => a.Count), At: g.Max(a => a.LastAt).ToUnixTimeMilliseconds()))
            .OrderBy(a => a.Id, StringComparer.Ordinal).ToArray();
        return WriteAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction,
                "UPDATE memories m SET access_count = m.access_count + b.n, last_accessed_at = greatest(coalesce(m.last_accessed_at, 0), b.at) " +
                "FROM (SELECT u.id, u.n, u.at FROM unnest(@ids, @counts, @ats) AS u(id, n, at) " +
                "JOIN memories l ON l.id = u.id ORDER BY u.id FOR UPDATE OF l) b WHERE m.id = b.id");
            command.Parameters.AddWithValue("ids", batch.Select(a => a.Id).ToArray());
            command.Parameters.AddWithValue("counts", batch.Select(a => (long)a.Count).ToArray());
            command.Parameters.AddWithValue("ats", batch.Select(a => a.At).ToArray());
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, history: false);
    }

    public Task<bool> ImportAsync(Memory? memory, IReadOnlyList<HistoryEntry> history, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            var inserted = false;
            if (memory is not null)
            {
                await using var insert = Command(connection, transaction, PostgresRows.InsertMemorySql);
                PostgresRows.BindMemory(insert, memory);
                if (await insert.ExecuteScalarAsync(cancellationToken) is long seq)
                {
                    inserted = true;
                    await RefreshNeighboursAsync(connection, transaction, memory, seq, cancellationToken);
                }
            }
            foreach (var entry in history) await InsertHistoryAsync(connection, transaction, entry, cancellationToken);
            return inserted;
        }, cancellationToken);

    public Task ResetAsync(CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            // TRUNCATE restarts the identities too, as erasing a SQLite store does: positions start again.
            await using var command = Command(connection, transaction, "TRUNCATE embeddings, memories, history, queue RESTART IDENTITY");
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    private async IAsyncEnumerable<Memory> QueryMemoriesAsync(MemoryFilter filter, string orderBy, int? limit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "");
        command.CommandText = $"SELECT {MemoryRows.MemoryColumns} FROM memories m WHERE {PgFilter.Where(filter, command)} {orderBy}"
            + (limit is { } n ? $" LIMIT {n}" : "");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) yield return MemoryRows.ReadMemory(reader);
    }

    private static async Task<Memory?> FindCurrentDuplicateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Memory memory, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, MemoryRows.SelectCurrentDuplicate);
        PostgresRows.BindMemory(command, memory);
        return await MemoryRows.ReadOneAsync(command, cancellationToken);
    }

    private static async Task<Memory?> FindBySourceKeyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Memory memory, CancellationToken cancellationToken)
    {
        if (memory.Source.ExternalId is null) return null;
        await using var command = Command(connection, transaction, MemoryRows.SelectBySourceKey);
        PostgresRows.BindMemory(command, memory);
        return await MemoryRows.ReadOneAsync(command, cancellationToken);
    }

    private static async Task InsertHistoryAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, HistoryEntry entry, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, PostgresRows.InsertHistorySql);
        PostgresRows.BindHistory(command, entry);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
