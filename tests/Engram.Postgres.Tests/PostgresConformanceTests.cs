using Engram.Core.Storage;
using Engram.Testing;

namespace Engram.Postgres.Tests;

/// <summary>The store conformance suite against a real PostgreSQL server, one fresh schema per store.</summary>
public sealed class PostgresConformanceTests : MemoryStoreConformanceTests
{
    private readonly Dictionary<IEngramStore, string> _connections = [];

    protected override async Task<IEngramStore> CreateEmptyStoreAsync()
    {
        var connection = await TestPostgres.NewSchemaAsync();
        var store = new PostgresMemoryStore(connection, Clock);
        await store.InitializeAsync();
        _connections[store] = connection;
        return store;
    }

    protected override async Task<IEngramStore> OpenAgainAsync(IEngramStore store)
    {
        var again = new PostgresMemoryStore(_connections[store], Clock);
        await again.InitializeAsync();
        return again;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var connection in _connections.Values) await TestPostgres.DropSchemaAsync(connection);
    }
}
