using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace Engram.Server.Tests;

/// <summary>A real MCP client from the SDK talking to /mcp over Streamable HTTP.</summary>
public sealed class McpHttpTests
{
    private static async Task<McpClient> ConnectAsync(ServerHost host, string? key = null)
    {
        var options = new HttpClientTransportOptions
        {
            Endpoint = new Uri(host.Address, "/mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = key is null ? null : new Dictionary<string, string> { ["Authorization"] = "Bearer " + key },
        };
        return await McpClient.CreateAsync(new HttpClientTransport(options));
    }

    private static async Task<string> CallAsync(McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments);
        return string.Join("\n", result.Content.OfType<TextContentBlock>().Select(b => b.Text));
    }

    [Fact]
    public async Task Lists_the_tools_and_search_finds_a_memory_stored_through_rest()
    {
        await using var host = await ServerHost.StartAsync();
        var id = await host.AddAsync("The deploy script lives in tools/deploy.sh", userId: "alice");
        await using var client = await ConnectAsync(host);

        var tools = await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(8, tools.Count);
        var text = await CallAsync(client, "search", new() { ["query"] = "where is the deploy script" });
        Assert.Contains($"[{id}]", text, StringComparison.Ordinal);

        var remembered = await CallAsync(client, "remember", new() { ["text"] = "Releases are cut on Tuesdays" });
        Assert.StartsWith("Remembered as ", remembered, StringComparison.Ordinal);
        var (_, list) = await host.JsonAsync(HttpMethod.Get, "/api/v1/memories");
        Assert.Equal(2, list.GetProperty("results").GetArrayLength());

        var resource = await client.ReadResourceAsync($"engram://memory/{id}", cancellationToken: TestContext.Current.CancellationToken);
        var json = Assert.IsType<TextResourceContents>(Assert.Single(resource.Contents)).Text;
        Assert.Equal(id, JsonDocument.Parse(json).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task With_keys_mcp_needs_one_and_each_key_sees_only_its_tenant_through_every_tool()
    {
        string a = "", b = "";
        await using var host = await ServerHost.StartAsync(before: async store =>
        {
            a = await ServerHost.CreateKeyAsync(store, "tenant-a");
            b = await ServerHost.CreateKeyAsync(store, "tenant-b");
        });
        var secret = await host.AddAsync("The vault password hint is swordfish", key: a, session: "a-1");

        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(host));

        await using var mallory = await ConnectAsync(host, b);
        Assert.StartsWith("No memories match", await CallAsync(mallory, "search", new() { ["query"] = "vault password swordfish" }), StringComparison.Ordinal);
        Assert.Contains("not found", await CallAsync(mallory, "timeline", new() { ["anchor_id"] = secret }), StringComparison.Ordinal);
        var observations = await CallAsync(mallory, "get_observations", new() { ["ids"] = new[] { secret } });
        Assert.DoesNotContain("swordfish", observations, StringComparison.Ordinal);
        Assert.StartsWith("No past conversation", await CallAsync(mallory, "conversation_search", new() { ["query"] = "vault swordfish" }), StringComparison.Ordinal);
        Assert.StartsWith("No past sessions", await CallAsync(mallory, "recent_chats", new() { }), StringComparison.Ordinal);
        Assert.StartsWith("No explicit user memories", await CallAsync(mallory, "memory_user_edits", new() { ["command"] = "view" }), StringComparison.Ordinal);
        Assert.Contains("not found", await CallAsync(mallory, "forget", new() { ["id"] = secret }), StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<McpException>(() => mallory.ReadResourceAsync($"engram://memory/{secret}", cancellationToken: TestContext.Current.CancellationToken).AsTask());
        await CallAsync(mallory, "remember", new() { ["text"] = "Mallory's own note" });

        await using var alice = await ConnectAsync(host, a);
        Assert.Contains($"[{secret}]", await CallAsync(alice, "search", new() { ["query"] = "vault password" }), StringComparison.Ordinal);
        Assert.StartsWith("No memories match", await CallAsync(alice, "search", new() { ["query"] = "Mallory note" }), StringComparison.Ordinal);
        Assert.NotNull(await host.Store.GetAsync("tenant-a", secret, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Malformed_mcp_posts_get_json_rpc_errors_and_get_is_not_allowed()
    {
        await using var host = await ServerHost.StartAsync();
        using var bad = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent("{not json", System.Text.Encoding.UTF8, "application/json") };
        bad.Headers.Add("Accept", "application/json, text/event-stream");
        using var response = await host.Http.SendAsync(bad, TestContext.Current.CancellationToken);
        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("\"jsonrpc\":\"2.0\"", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);

        using var get = await host.SendAsync(HttpMethod.Get, "/mcp");
        Assert.Equal(405, (int)get.StatusCode);
    }

    [Fact]
    public async Task The_openapi_document_describes_the_rest_api()
    {
        await using var host = await ServerHost.StartAsync();
        var (status, doc) = await host.JsonAsync(HttpMethod.Get, "/openapi/v1.json");
        Assert.Equal(200, status);
        var paths = doc.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/memories", "/api/v1/memories/{id}", "/api/v1/memories/{id}/history", "/api/v1/search", "/api/v1/reset", "/api/v1/sessions", "/api/v1/stream", "/health",
            "/api/v1/sessions/{id}/injections", "/api/v1/context/preview", "/api/v1/memories/{id}/supersede", "/api/v1/memories/{id}/restore" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"the OpenAPI document lacks {path}");
        }
        Assert.True(paths.GetProperty("/api/v1/memories").TryGetProperty("post", out var add));
        Assert.Equal("AddMemories", add.GetProperty("operationId").GetString());
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        var body = schemas.GetProperty("AddMemoryBody").GetProperty("properties");
        foreach (var field in new[] { "messages", "text", "user_id", "agent_id", "run_id", "session_id", "metadata", "infer" })
        {
            Assert.True(body.TryGetProperty(field, out _), $"AddMemoryBody lacks {field}");
        }
        Assert.True(schemas.GetProperty("MemoryItem").GetProperty("properties").TryGetProperty("memory", out _));
        var bearer = doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
    }
}
