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

    private async Task<IReadOnlyList<InjectionRecord>> ReadInjectionsAsync(string sql, string tenant, string key, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        InjectionRows.BindLookup(command, tenant, key, limit);
        return await InjectionRows.ReadAllAsync(command, cancellationToken);
    }
}
