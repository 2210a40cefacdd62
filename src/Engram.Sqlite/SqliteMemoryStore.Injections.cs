using System.Data.Common;
using Engram.Core.Storage;

namespace Engram.Sqlite;

public sealed partial class SqliteMemoryStore
{
    public IInjectionLog Injections => field ??= new SqlInjectionLog(new Runner(this));

    /// <summary>This store's connections for the statements it shares with the PostgreSQL store.</summary>
    private sealed class Runner(SqliteMemoryStore store) : ISqlRunner
    {
        public async Task<T> ReadAsync<T>(Func<Func<string, DbCommand>, Task<T>> work, CancellationToken cancellationToken)
        {
            await using var connection = await store.OpenAsync(cancellationToken);
            return await work(sql => Command(connection, null, sql));
        }

        public Task<T> WriteAsync<T>(Func<Func<string, DbCommand>, Task<T>> work, CancellationToken cancellationToken) =>
            store.WriteAsync((connection, transaction) => work(sql => Command(connection, transaction, sql)), cancellationToken);
    }
}
