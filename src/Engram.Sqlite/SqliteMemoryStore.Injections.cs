using Engram.Core.Storage;

namespace Engram.Sqlite;

public sealed partial class SqliteMemoryStore : IInjectionLog
{
    public IInjectionLog Injections => this;

    public Task RecordInjectionsAsync(IReadOnlyList<InjectionRecord> records, CancellationToken cancellationToken = default)
    {
        if (records.Count == 0) return Task.CompletedTask;
        return WriteAsync(async (connection, transaction) =>
        {
            using var command = Command(connection, transaction, InjectionRows.InsertSql);
            foreach (var record in records)
            {
                InjectionRows.Bind(command, record);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            return records.Count;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<InjectionRecord>> InjectionsForSessionAsync(string tenant, string sessionId, CancellationToken cancellationToken = default) =>
        ReadInjectionsAsync(InjectionRows.BySessionSql, tenant, sessionId, -1, cancellationToken);

    public Task<IReadOnlyList<InjectionRecord>> InjectionsOfMemoryAsync(string tenant, string memoryId, int limit = 100, CancellationToken cancellationToken = default) =>
        ReadInjectionsAsync(InjectionRows.ByMemorySql, tenant, memoryId, limit, cancellationToken);

    public Task<int> MarkFetchedAsync(string tenant, IReadOnlyCollection<string> memoryIds, string via, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        MarkAsync(InjectionRows.MarkFetchedSql, tenant, null, memoryIds, via, at, cancellationToken);

    public Task<int> MarkActedOnAsync(string tenant, string sessionId, IReadOnlyCollection<string> memoryIds, string actedOn, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        MarkAsync(InjectionRows.MarkActedOnSql, tenant, sessionId, memoryIds, actedOn, at, cancellationToken);

    public async Task<IReadOnlyDictionary<string, InjectionUse>> UseOfMemoriesAsync(string tenant, IReadOnlyCollection<string> memoryIds, CancellationToken cancellationToken = default)
    {
        if (memoryIds.Count == 0) return new Dictionary<string, InjectionUse>();
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        return await InjectionRows.UseOfMemoriesAsync(command, tenant, memoryIds, cancellationToken);
    }

    public async Task<IReadOnlyList<ProjectUse>> UseByProjectAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await InjectionRows.UseByProjectAsync(connection.CreateCommand, tenant, cancellationToken);
    }

    private Task<int> MarkAsync(string sql, string tenant, string? sessionId, IReadOnlyCollection<string> memoryIds, string how, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (memoryIds.Count == 0) return Task.FromResult(0);
        return WriteAsync(async (connection, transaction) =>
        {
            using var command = Command(connection, transaction, sql);
            return await InjectionRows.MarkAsync(command, tenant, sessionId, memoryIds, how, at, cancellationToken);
        }, cancellationToken);
    }

    private async Task<IReadOnlyList<InjectionRecord>> ReadInjectionsAsync(string sql, string tenant, string key, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        InjectionRows.BindLookup(command, tenant, key, limit);
        return await InjectionRows.ReadAllAsync(command, cancellationToken);
    }
}
