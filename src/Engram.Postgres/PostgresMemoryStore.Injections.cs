using System.Data.Common;
using Engram.Core.Storage;

namespace Engram.Postgres;

public sealed partial class PostgresMemoryStore
{
    public IInjectionLog Injections => field ??= new SqlInjectionLog(new Runner(this));

    /// <summary>This store's connections for the statements it shares with the SQLite store.</summary>
    private sealed class Runner(PostgresMemoryStore store) : ISqlRunner
    {
        public Task<T> ReadAsync<T>(Func<Func<string, DbCommand>, Task<T>> work, CancellationToken cancellationToken) =>
            store.ReadAsync(connection => work(sql => Command(connection, null, sql)), cancellationToken);

        public Task<T> WriteAsync<T>(Func<Func<string, DbCommand>, Task<T>> work, CancellationToken cancellationToken) =>
            store.WriteAsync((connection, transaction) => work(sql => Command(connection, transaction, sql)), cancellationToken, history: false);
    }
}
