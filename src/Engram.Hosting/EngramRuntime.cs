using Engram.Core;
using Engram.Core.Services;
using Engram.Core.Storage;
using Engram.Sqlite;

namespace Engram.Hosting;

/// <summary>A memory service built from the home folder and its settings: what every front end runs on.</summary>
public sealed class EngramRuntime : IAsyncDisposable
{
    private EngramRuntime(EngramHome home, EngramSettings settings, IMemoryStore store, IEventQueue queue, IMemoryService service)
    {
        Home = home;
        Settings = settings;
        Store = store;
        Queue = queue;
        Memory = service;
    }

    public EngramHome Home { get; }
    public EngramSettings Settings { get; }
    public IMemoryStore Store { get; }
    public IEventQueue Queue { get; }
    public IMemoryService Memory { get; }

    /// <summary>Loads settings, opens (and if needed creates) the store, and builds the service.</summary>
    public static async Task<EngramRuntime> OpenAsync(EngramHome home, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var settings = SettingsLoader.Load(home);
        if (settings.Storage.Provider != "sqlite")
        {
            throw new EngramException($"Storage:Provider '{settings.Storage.Provider}' is not available in this version of Engram; use sqlite");
        }
        if (settings.Embeddings.Provider != "none")
        {
            throw new EngramException($"Embeddings:Provider '{settings.Embeddings.Provider}' is not available in this version of Engram; use none");
        }

        var path = settings.Storage.ConnectionString ?? home.DatabasePath;
        var store = new SqliteMemoryStore(path, time: time);
        try
        {
            await store.InitializeAsync(cancellationToken);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
        return new EngramRuntime(home, settings, store, store, new MemoryService(store, settings.Search, embeddings: null, time: time));
    }

    public ValueTask DisposeAsync() => Store.DisposeAsync();
}
