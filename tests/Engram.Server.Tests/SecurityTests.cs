using System.Net;
using System.Text.Json;
using Engram.Core;

namespace Engram.Server.Tests;

/// <summary>API keys, tenant isolation through every endpoint, binding rules and rate limits.</summary>
public sealed class SecurityTests
{
    private static readonly string[] Protected =
    [
        "GET /api/v1/memories", "POST /api/v1/memories", "GET /api/v1/memories/01JZZZZZZZZZZZZZZZZZZZZZZZ",
        "PUT /api/v1/memories/01JZZZZZZZZZZZZZZZZZZZZZZZ", "DELETE /api/v1/memories/01JZZZZZZZZZZZZZZZZZZZZZZZ",
        "GET /api/v1/memories/01JZZZZZZZZZZZZZZZZZZZZZZZ/history", "POST /api/v1/search", "POST /api/v1/reset",
        "GET /api/v1/sessions", "GET /api/v1/stream", "POST /mcp",
    ];

    [Fact]
    public async Task Without_any_key_a_loopback_server_serves_the_default_tenant()
    {
        await using var host = await ServerHost.StartAsync();
        var id = await host.AddAsync("Local memory");
        var (status, body) = await host.JsonAsync(HttpMethod.Get, $"/api/v1/memories/{id}");
        Assert.Equal(200, status);
        Assert.Equal("Local memory", body.GetProperty("memory").GetString());
        Assert.Equal("default", (await host.Store.GetAsync("default", id, TestContext.Current.CancellationToken))!.Scope.Tenant);
    }

    [Fact]
    public async Task Once_a_key_exists_every_call_without_a_valid_key_gets_401_and_health_stays_open()
    {
        await using var host = await ServerHost.StartAsync(before: store => ServerHost.CreateKeyAsync(store, "acme"));
        foreach (var endpoint in Protected)
        {
            var parts = endpoint.Split(' ');
            using var response = await host.SendAsync(new HttpMethod(parts[0]), parts[1], parts[0] is "POST" or "PUT" ? "{}" : null);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{endpoint} answered {(int)response.StatusCode} without a key");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);

            using var wrong = await host.SendAsync(new HttpMethod(parts[0]), parts[1], parts[0] is "POST" or "PUT" ? "{}" : null, key: "engram_not-a-real-key");
            Assert.True(wrong.StatusCode == HttpStatusCode.Unauthorized, $"{endpoint} answered {(int)wrong.StatusCode} with a wrong key");
        }
        var (status, health) = await host.JsonAsync(HttpMethod.Get, "/health");
        Assert.Equal(200, status);
        Assert.True(health.GetProperty("api_keys_required").GetBoolean());
        Assert.Equal(200, (await host.JsonAsync(HttpMethod.Get, "/openapi/v1.json")).Status);
    }

    [Fact]
    public async Task A_revoked_key_stops_working()
    {
        string key = "";
        await using var host = await ServerHost.StartAsync(before: async store =>
        {
            key = await ServerHost.CreateKeyAsync(store, "acme");
            await ServerHost.CreateKeyAsync(store, "other");
        });
        Assert.Equal(200, (await host.JsonAsync(HttpMethod.Get, "/api/v1/memories", key: key)).Status);
        var id = (await host.Store.ApiKeys.ListApiKeysAsync(TestContext.Current.CancellationToken)).Single(k => k.Tenant == "acme").Id;
        Assert.True(await host.Store.ApiKeys.RevokeApiKeyAsync(id, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken));
        Assert.Equal(401, (await host.JsonAsync(HttpMethod.Get, "/api/v1/memories", key: key)).Status);
    }

    [Fact]
    public async Task A_key_sees_only_its_tenant_through_every_endpoint()
    {
        string a = "", b = "";
        await using var host = await ServerHost.StartAsync(before: async store =>
        {
            a = await ServerHost.CreateKeyAsync(store, "tenant-a");
            b = await ServerHost.CreateKeyAsync(store, "tenant-b");
        });
        var secret = await host.AddAsync("Tenant A's launch code is swordfish", userId: "alice", key: a, session: "a-session");
        Assert.Equal("tenant-a", (await host.Store.GetAsync("tenant-a", secret, TestContext.Current.CancellationToken))!.Scope.Tenant);

        Assert.Equal(404, (await host.JsonAsync(HttpMethod.Get, $"/api/v1/memories/{secret}", key: b)).Status);
        Assert.Equal(404, (await host.JsonAsync(HttpMethod.Put, $"/api/v1/memories/{secret}", """{"text":"stolen"}""", key: b)).Status);
        Assert.Equal(404, (await host.JsonAsync(HttpMethod.Delete, $"/api/v1/memories/{secret}", key: b)).Status);
        Assert.Equal(404, (await host.JsonAsync(HttpMethod.Get, $"/api/v1/memories/{secret}/history", key: b)).Status);
        var (_, search) = await host.JsonAsync(HttpMethod.Post, "/api/v1/search", """{"query":"launch code swordfish","user_id":"alice"}""", key: b);
        Assert.Equal(0, search.GetProperty("results").GetArrayLength());
        var (_, list) = await host.JsonAsync(HttpMethod.Get, "/api/v1/memories?user_id=alice", key: b);
        Assert.Equal(0, list.GetProperty("results").GetArrayLength());
        var (_, sessions) = await host.JsonAsync(HttpMethod.Get, "/api/v1/sessions", key: b);
        Assert.Equal(0, sessions.GetProperty("results").GetArrayLength());
        var (_, reset) = await host.JsonAsync(HttpMethod.Post, "/api/v1/reset", "{}", key: b);
        Assert.Equal(0, reset.GetProperty("deleted").GetInt32());

        var (status, mine) = await host.JsonAsync(HttpMethod.Get, $"/api/v1/memories/{secret}", key: a);
        Assert.Equal(200, status);
        Assert.Equal("Tenant A's launch code is swordfish", mine.GetProperty("memory").GetString());
        var (_, history) = await host.JsonAsync(HttpMethod.Get, $"/api/v1/memories/{secret}/history", key: a);
        Assert.Equal(1, history.GetProperty("results").GetArrayLength());

        // A memory B creates lands in B's tenant, whatever the body says.
        var own = await host.AddAsync("B's own memory", key: b);
        Assert.Null(await host.Store.GetAsync("tenant-a", own, TestContext.Current.CancellationToken));
        Assert.NotNull(await host.Store.GetAsync("tenant-b", own, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Listening_beyond_loopback_without_keys_refuses_to_start_with_a_clear_message()
    {
        using var folder = new Engram.Testing.TempFolder();
        var store = new Engram.Sqlite.SqliteMemoryStore(folder.File("engram.db"));
        await using (store)
        {
            var memory = new Engram.Core.Services.MemoryService(store);
            var error = await Assert.ThrowsAsync<EngramException>(() =>
                EngramServer.CreateAsync(memory, store, new ServerRuntimeOptions { Host = "0.0.0.0", Port = 0 }, cancellationToken: TestContext.Current.CancellationToken));
            Assert.Contains("refusing to listen on 0.0.0.0:0 without API keys", error.Message, StringComparison.Ordinal);
            Assert.Contains("engram apikey create --tenant T", error.Message, StringComparison.Ordinal);

            await ServerHost.CreateKeyAsync(store, "acme");
            await using var server = await EngramServer.CreateAsync(memory, store, new ServerRuntimeOptions { Host = "0.0.0.0", Port = 0 }, cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(server.Options.RequireApiKeys);
        }
    }

    [Fact]
    public async Task Each_key_has_its_own_rate_limit()
    {
        string a = "", b = "";
        await using var host = await ServerHost.StartAsync(new ServerRuntimeOptions { Port = 0, RateLimitPerMinute = 3 }, async store =>
        {
            a = await ServerHost.CreateKeyAsync(store, "a");
            b = await ServerHost.CreateKeyAsync(store, "b");
        });
        for (var i = 0; i < 3; i++) Assert.Equal(200, (await host.JsonAsync(HttpMethod.Get, "/api/v1/memories", key: a)).Status);
        using var limited = await host.SendAsync(HttpMethod.Get, "/api/v1/memories", key: a);
        Assert.Equal(429, (int)limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter);
        using var problem = JsonDocument.Parse(await limited.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Contains("more than 3 requests a minute", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(200, (await host.JsonAsync(HttpMethod.Get, "/api/v1/memories", key: b)).Status);
        Assert.Equal(200, (await host.JsonAsync(HttpMethod.Get, "/health")).Status);
    }

    [Fact]
    public async Task An_oversize_body_gets_413_with_problem_details()
    {
        await using var host = await ServerHost.StartAsync(new ServerRuntimeOptions { Port = 0, MaxRequestBytes = 4096 });
        var big = JsonSerializer.Serialize(new { text = new string('x', 10_000) });
        var (status, body) = await host.JsonAsync(HttpMethod.Post, "/api/v1/memories", big);
        Assert.Equal(413, status);
        Assert.Contains("larger than this server accepts", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_keyless_local_server_refuses_foreign_hosts_and_origins_of_web_pages()
    {
        await using var host = await ServerHost.StartAsync();
        using (var rebound = new HttpRequestMessage(HttpMethod.Get, "/api/v1/memories"))
        {
            rebound.Headers.Host = "attacker.example";
            using var response = await host.Http.SendAsync(rebound, TestContext.Current.CancellationToken);
            Assert.Equal(421, (int)response.StatusCode);
        }
        using (var crossSite = new HttpRequestMessage(HttpMethod.Get, "/api/v1/memories"))
        {
            crossSite.Headers.Add("Origin", "https://evil.example");
            using var response = await host.Http.SendAsync(crossSite, TestContext.Current.CancellationToken);
            Assert.Equal(403, (int)response.StatusCode);
        }
        using (var local = new HttpRequestMessage(HttpMethod.Get, "/api/v1/memories"))
        {
            local.Headers.Host = "localhost";
            local.Headers.Add("Origin", "http://localhost:3000");
            using var response = await host.Http.SendAsync(local, TestContext.Current.CancellationToken);
            Assert.Equal(200, (int)response.StatusCode);
        }
    }
}
