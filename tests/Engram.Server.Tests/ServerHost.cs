using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Engram.Core;
using Engram.Core.Security;
using Engram.Core.Services;
using Engram.Core.Storage;
using Engram.Sqlite;
using Engram.Testing;

namespace Engram.Server.Tests;

/// <summary>
/// A real engram server on 127.0.0.1 with a free port, over a real SQLite file (or, with
/// ENGRAM_TEST_SERVER_STORE=postgres, a fresh schema of the PostgreSQL server in ENGRAM_TEST_POSTGRES),
/// and a real HttpClient pointed at it. Stopped and deleted with the test.
/// </summary>
public sealed class ServerHost : IAsyncDisposable
{
    /// <summary>Which store the server suite runs on: sqlite (default) or postgres.</summary>
    public static string StoreKind => Environment.GetEnvironmentVariable("ENGRAM_TEST_SERVER_STORE") is { Length: > 0 } kind ? kind : "sqlite";

    private ServerHost(IEngramStore store, EngramServer server)
    {
        Store = store;
        Server = server;
        Http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public IEngramStore Store { get; }
    public EngramServer Server { get; }
    public HttpClient Http { get; }
    public Uri Address => Server.Address;

    public static async Task<ServerHost> StartAsync(ServerRuntimeOptions? options = null, Func<IEngramStore, Task>? before = null)
    {
        var folder = new TempFolder();
        string? schema = null;
        IEngramStore store = StoreKind switch
        {
            "sqlite" => new SqliteMemoryStore(folder.File("engram.db")),
            "postgres" => new Engram.Postgres.PostgresMemoryStore(schema = await TestPostgres.NewSchemaAsync()),
            var other => throw new InvalidOperationException($"ENGRAM_TEST_SERVER_STORE '{other}' is not sqlite or postgres"),
        };
        await store.InitializeAsync();
        if (before is not null) await before(store);
        var server = await EngramServer.CreateAsync(new MemoryService(store), store, options ?? new ServerRuntimeOptions { Port = 0, ChangePollInterval = TimeSpan.FromMilliseconds(50) });
        await server.StartAsync();
        return new ServerHost(store, server) { FolderToDelete = folder, SchemaToDrop = schema };
    }

    private TempFolder? FolderToDelete { get; init; }
    private string? SchemaToDrop { get; init; }

    /// <summary>Creates a key for the tenant directly in the store, as engram apikey create does, and returns its secret.</summary>
    public static async Task<string> CreateKeyAsync(IEngramStore store, string tenant)
    {
        var secret = ApiKeySecrets.NewSecret();
        await store.ApiKeys.CreateApiKeyAsync(new ApiKey
        {
            Id = MemoryId.System.Next(),
            Tenant = tenant,
            Prefix = ApiKeySecrets.PrefixOf(secret),
            CreatedAt = DateTimeOffset.UtcNow,
        }, ApiKeySecrets.Hash(secret));
        return secret;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json = null, string? key = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await Http.SendAsync(request);
    }

    /// <summary>Sends and returns status and parsed JSON body (null for an empty body).</summary>
    public async Task<(int Status, JsonElement Body)> JsonAsync(HttpMethod method, string path, string? json = null, string? key = null)
    {
        using var response = await SendAsync(method, path, json, key);
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return ((int)response.StatusCode, body);
    }

    public async Task<string> AddAsync(string text, string? userId = null, string? key = null, string? session = null)
    {
        var (status, body) = await JsonAsync(HttpMethod.Post, "/api/v1/memories",
            JsonSerializer.Serialize(new Dictionary<string, object?> { ["text"] = text, ["user_id"] = userId, ["session_id"] = session }), key);
        Assert.True(status == 200, $"add failed with {status}: {body}");
        return body.GetProperty("results")[0].GetProperty("id").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.StopAsync();
        await Server.DisposeAsync();
        await Store.DisposeAsync();
        FolderToDelete?.Dispose();
        if (SchemaToDrop is not null) await TestPostgres.DropSchemaAsync(SchemaToDrop);
    }
}
