using System.Runtime.CompilerServices;
using Engram.Core.Model;
using Engram.Core.Storage;
using Engram.Core;
using Microsoft.Data.Sqlite;

namespace Engram.Sqlite;

public sealed partial class SqliteMemoryStore
{
    public Task<(Memory Memory, bool Inserted)> InsertAsync(Memory memory, HistoryEntry history, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            using (var insert = Command(connection, transaction, SqliteRows.InsertMemorySql))
            {
                SqliteRows.BindMemory(insert, memory);
                if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0)
                {
                    var existing = await FindCurrentDuplicateAsync(connection, transaction, memory, cancellationToken)
                        ?? await FindBySourceKeyAsync(connection, transaction, memory, cancellationToken)
                        ?? throw new EngramException($"memory {memory.Id} already exists");
                    return (existing, false);
                }
            }
            await InsertHistoryAsync(connection, transaction, history, cancellationToken);
            await RefreshNeighboursAsync(connection, transaction, memory, await SeqOfAsync(connection, transaction, memory.Id, cancellationToken), cancellationToken);
            return (memory, true);
        }, cancellationToken);

    public Task UpdateAsync(Memory memory, HistoryEntry history, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            var textGone = await MessageTextChangesAsync(connection, transaction, memory, cancellationToken);
            using (var update = Command(connection, transaction,
                $"UPDATE memories SET {MemoryRows.UpdateMemorySet} " +
                "WHERE id = @id AND tenant = @tenant"))
            {
                SqliteRows.BindMemory(update, memory);
                try
                {
                    if (await update.ExecuteNonQueryAsync(cancellationToken) == 0) throw new MemoryNotFoundException(memory.Id);
                }
                catch (SqliteException ex) when (ex.SqliteErrorCode == 19)
                {
                    var twin = await FindCurrentDuplicateAsync(connection, transaction, memory, cancellationToken);
                    throw new EngramException($"memory {twin?.Id ?? "?"} in the same scope already says exactly this; delete one of them instead");
                }
            }
            await InsertHistoryAsync(connection, transaction, history, cancellationToken);
            await RefreshNeighboursAsync(connection, transaction, memory, await SeqOfAsync(connection, transaction, memory.Id, cancellationToken), cancellationToken, textGone);
            return true;
        }, cancellationToken);

    public Task<bool> DeleteAsync(string tenant, string id, HistoryEntry history, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            using var select = Command(connection, transaction, $"SELECT {MemoryRows.MemoryColumns}, m.seq FROM memories m WHERE m.id = @id AND m.tenant = @tenant");
            select.Parameters.AddWithValue("@id", id);
            select.Parameters.AddWithValue("@tenant", tenant);
            if (await MemoryRows.ReadWithSeqAsync(select, cancellationToken) is not [var (doomed, seq)]) return false;
            using var delete = Command(connection, transaction, "DELETE FROM memories WHERE seq = @seq");
            delete.Parameters.AddWithValue("@seq", seq);
            await delete.ExecuteNonQueryAsync(cancellationToken);
            await InsertHistoryAsync(connection, transaction, history, cancellationToken);
            await RefreshNeighboursAsync(connection, transaction, doomed, seq, cancellationToken, textGone: true);
            return true;
        }, cancellationToken);

    public Task<int> DeleteManyAsync(MemoryFilter filter, Func<Memory, HistoryEntry> history, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            using var select = Command(connection, transaction, "");
            select.CommandText = $"SELECT {MemoryRows.MemoryColumns}, m.seq FROM memories m WHERE {SqliteFilter.Where(filter, select)}";
            var doomed = await MemoryRows.ReadWithSeqAsync(select, cancellationToken);
            using var delete = Command(connection, transaction, "DELETE FROM memories WHERE seq = @seq");
            var seqParameter = delete.Parameters.Add("@seq", SqliteType.Integer);
            foreach (var (memory, seq) in doomed)
            {
                seqParameter.Value = seq;
                await delete.ExecuteNonQueryAsync(cancellationToken);
                await InsertHistoryAsync(connection, transaction, history(memory), cancellationToken);
                await RefreshNeighboursAsync(connection, transaction, memory, seq, cancellationToken, textGone: true);
            }
            return doomed.Count;
        }, cancellationToken);

    public async Task<Memory?> GetAsync(string tenant, string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {MemoryRows.MemoryColumns} FROM memories m WHERE m.id = @id AND m.tenant = @tenant";
        command.Parameters.AddWithValue("@id", id);
        command.Parameters.AddWithValue("@tenant", tenant);
        return await MemoryRows.ReadOneAsync(command, cancellationToken);
    }

    public IAsyncEnumerable<Memory> ListAsync(MemoryFilter filter, int? limit = null, CancellationToken cancellationToken = default) =>
        QueryMemoriesAsync(filter, "ORDER BY m.valid_from DESC, m.id DESC", limit, cancellationToken);

    public IAsyncEnumerable<Memory> ListChronologicalAsync(MemoryFilter filter, CancellationToken cancellationToken = default) =>
        QueryMemoriesAsync(filter, "ORDER BY m.valid_from, m.id", null, cancellationToken);

    public async Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string tenant, string memoryId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = MemoryRows.HistoryOfMemorySql;
        command.Parameters.AddWithValue("@id", memoryId);
        command.Parameters.AddWithValue("@tenant", tenant);
        return await MemoryRows.ReadHistoryAsync(command, cancellationToken).ToListAsync(cancellationToken);
    }

    public async IAsyncEnumerable<HistoryEntry> ListOrphanHistoryAsync(MemoryFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = MemoryRows.OrphanHistorySql(SqliteFilter.HistoryWhere(filter, command));
        await foreach (var entry in MemoryRows.ReadHistoryAsync(command, cancellationToken)) yield return entry;
    }

    public Task RecordAccessAsync(IReadOnlyCollection<MemoryAccess> accesses, CancellationToken cancellationToken = default)
    {
        if (accesses.Count == 0) return Task.CompletedTask;
        return WriteAsync(async (connection, transaction) =>
        {
            using var command = Command(connection, transaction,
                "UPDATE memories SET access_count = access_count + @count, last_accessed_at = max(coalesce(last_accessed_at, 0), @at) WHERE id = @id");
            var id = command.Parameters.Add("@id", Microsoft.Data.Sqlite.SqliteType.Text);
            var count = command.Parameters.Add("@count", Microsoft.Data.Sqlite.SqliteType.Integer);
            var at = command.Parameters.Add("@at", Microsoft.Data.Sqlite.SqliteType.Integer);
            var changed = 0;
            foreach (var access in accesses)
            {
                id.Value = access.Id;
                count.Value = access.Count;
                at.Value = access.LastAt.ToUnixTimeMilliseconds();
                changed += await command.ExecuteNonQueryAsync(cancellationToken);
            }
            return changed;
        }, cancellationToken);
    }

    public Task<bool> ImportAsync(Memory? memory, IReadOnlyList<HistoryEntry> history, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            var inserted = false;
            if (memory is not null)
            {
                using var insert = Command(connection, transaction, SqliteRows.InsertMemorySql);
                SqliteRows.BindMemory(insert, memory);
                inserted = await insert.ExecuteNonQueryAsync(cancellationToken) > 0;
                if (inserted) await RefreshNeighboursAsync(connection, transaction, memory, await SeqOfAsync(connection, transaction, memory.Id, cancellationToken), cancellationToken);
            }
            foreach (var entry in history) await InsertHistoryAsync(connection, transaction, entry, cancellationToken);
            return inserted;
        }, cancellationToken);

    public Task ResetAsync(CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            using var command = Command(connection, transaction,
                "DELETE FROM embeddings; DELETE FROM memories; DELETE FROM history; DELETE FROM queue; " +
                "INSERT INTO memories_fts (memories_fts) VALUES ('rebuild');");
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    private async IAsyncEnumerable<Memory> QueryMemoriesAsync(MemoryFilter filter, string orderBy, int? limit, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {MemoryRows.MemoryColumns} FROM memories m WHERE {SqliteFilter.Where(filter, command)} {orderBy}"
            + (limit is { } n ? $" LIMIT {n}" : "");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) yield return MemoryRows.ReadMemory(reader);
    }

    private static async Task<Memory?> FindCurrentDuplicateAsync(SqliteConnection connection, SqliteTransaction transaction, Memory memory, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, MemoryRows.SelectCurrentDuplicate);
        SqliteRows.BindMemory(command, memory);
        return await MemoryRows.ReadOneAsync(command, cancellationToken);
    }

    private static async Task<Memory?> FindBySourceKeyAsync(SqliteConnection connection, SqliteTransaction transaction, Memory memory, CancellationToken cancellationToken)
    {
        if (memory.Source.ExternalId is null) return null;
        using var command = Command(connection, transaction, MemoryRows.SelectBySourceKey);
        SqliteRows.BindMemory(command, memory);
        return await MemoryRows.ReadOneAsync(command, cancellationToken);
    }

    private static async Task InsertHistoryAsync(SqliteConnection connection, SqliteTransaction transaction, HistoryEntry entry, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, SqliteRows.InsertHistorySql);
        SqliteRows.BindHistory(command, entry);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>Runs work in one write transaction, taken with BEGIN IMMEDIATE so concurrent writers queue up instead of failing.</summary>
    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        // Writers of this process queue here, in order, instead of each polling SQLite's busy handler
        // (which backs off in sleeps of up to 100 ms); other processes still wait through the handler.
        await _writers.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            using var transaction = connection.BeginTransaction(deferred: false);
            try
            {
                var result = await work(connection, transaction);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch
            {
                RollBack(connection, transaction);
                throw;
            }
        }
        catch (SqliteException ex)
        {
            throw SqliteErrors.Translate(ex, Path);
        }
        finally
        {
            _writers.Release();
        }
    }

    /// <summary>
    /// Rolls back after a failure without hiding it: on a full disk or an I/O error SQLite may already have
    /// rolled back, and a second rollback error ("no transaction is active") must not replace the cause.
    /// </summary>
    private static void RollBack(SqliteConnection connection, SqliteTransaction transaction)
    {
        try
        {
            transaction.Rollback();
        }
        catch (Exception ex) when (ex is SqliteException or InvalidOperationException)
        {
            // Still inside a transaction? Then this connection must not go back to the pool.
            if (SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0) SqliteConnection.ClearPool(connection);
        }
    }
}
