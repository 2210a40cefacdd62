namespace Engram.Core.Storage;

/// <summary>The injection log of either SQL store: <see cref="InjectionRows"/>' statements over the store's <see cref="ISqlRunner"/>.</summary>
public sealed class SqlInjectionLog(ISqlRunner sql) : IInjectionLog
{
    public Task RecordInjectionsAsync(IReadOnlyList<InjectionRecord> records, CancellationToken cancellationToken = default)
    {
        if (records.Count == 0) return Task.CompletedTask;
        return sql.WriteAsync(async newCommand =>
        {
            await using var command = newCommand(InjectionRows.InsertSql);
            foreach (var record in records)
            {
                InjectionRows.Bind(command, record);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            return records.Count;
        }, cancellationToken);
    }

    public Task<IReadOnlyList<InjectionRecord>> InjectionsForSessionAsync(string tenant, string sessionId, CancellationToken cancellationToken = default) =>
        ReadAsync(InjectionRows.BySessionSql, tenant, sessionId, -1, cancellationToken);

    public Task<IReadOnlyList<InjectionRecord>> InjectionsOfMemoryAsync(string tenant, string memoryId, int limit = 100, CancellationToken cancellationToken = default) =>
        ReadAsync(InjectionRows.ByMemorySql, tenant, memoryId, limit, cancellationToken);

    public Task<int> MarkFetchedAsync(string tenant, IReadOnlyCollection<string> memoryIds, string via, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        MarkAsync(InjectionRows.MarkFetchedSql, tenant, null, memoryIds, via, at, cancellationToken);

    public Task<int> MarkActedOnAsync(string tenant, string sessionId, IReadOnlyCollection<string> memoryIds, string actedOn, DateTimeOffset at,
        CancellationToken cancellationToken = default) =>
        MarkAsync(InjectionRows.MarkActedOnSql, tenant, sessionId, memoryIds, actedOn, at, cancellationToken);

    public Task<IReadOnlyDictionary<string, InjectionUse>> UseOfMemoriesAsync(string tenant, IReadOnlyCollection<string> memoryIds, CancellationToken cancellationToken = default)
    {
        if (memoryIds.Count == 0) return Task.FromResult<IReadOnlyDictionary<string, InjectionUse>>(new Dictionary<string, InjectionUse>());
        return sql.ReadAsync(async newCommand =>
        {
            await using var command = newCommand("");
            return await InjectionRows.UseOfMemoriesAsync(command, tenant, memoryIds, cancellationToken);
        }, cancellationToken);
    }

    public Task<IReadOnlyList<ProjectUse>> UseByProjectAsync(string tenant, CancellationToken cancellationToken = default) =>
        sql.ReadAsync(newCommand => InjectionRows.UseByProjectAsync(() => newCommand(""), tenant, cancellationToken), cancellationToken);

    private Task<int> MarkAsync(string statement, string tenant, string? sessionId, IReadOnlyCollection<string> memoryIds, string how, DateTimeOffset at,
        CancellationToken cancellationToken)
    {
        if (memoryIds.Count == 0) return Task.FromResult(0);
        return sql.WriteAsync(async newCommand =>
        {
            await using var command = newCommand(statement);
            return await InjectionRows.MarkAsync(command, tenant, sessionId, memoryIds, how, at, cancellationToken);
        }, cancellationToken);
    }

    private Task<IReadOnlyList<InjectionRecord>> ReadAsync(string statement, string tenant, string key, int limit, CancellationToken cancellationToken) =>
        sql.ReadAsync(async newCommand =>
        {
            await using var command = newCommand(statement);
            InjectionRows.BindLookup(command, tenant, key, limit);
            return await InjectionRows.ReadAllAsync(command, cancellationToken);
        }, cancellationToken);
}
