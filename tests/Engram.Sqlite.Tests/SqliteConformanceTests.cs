using Engram.Testing;
using Engram.Core.Storage;


namespace Engram.Sqlite.Tests;

/// <summary>The store conformance suite against real SQLite files.</summary>
public sealed class SqliteConformanceTests : MemoryStoreConformanceTests, IDisposable
{
    private readonly TempFolder _folder = new();
    private int _count;

    protected override async Task<IEngramStore> CreateEmptyStoreAsync()
    {
        var store = new SqliteMemoryStore(_folder.File($"engram-{_count++}.db"), time: Clock);
        await store.InitializeAsync();
        return store;
    }

    protected override async Task<IEngramStore> OpenAgainAsync(IEngramStore store)
    {
        var again = new SqliteMemoryStore(((SqliteMemoryStore)store).Path, time: Clock);
        await again.InitializeAsync();
        return again;
    }

    public void Dispose() => _folder.Dispose();
}
