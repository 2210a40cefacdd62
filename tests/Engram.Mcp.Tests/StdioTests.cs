using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Sqlite;
using Engram.Testing;
using ModelContextProtocol.Client;

namespace Engram.Mcp.Tests;

/// <summary>The real engram process serving MCP over stdio, driven by the SDK's stdio client, as an agent would.</summary>
public sealed class StdioTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Home => _folder.File("home");

    private async Task<McpClient> StartAsync(params string[] extraArguments)
    {
        var stderr = new List<string>();
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "engram",
            Command = "dotnet",
            Arguments = [Path.Combine(AppContext.BaseDirectory, "engram.dll"), "mcp", .. extraArguments],
            EnvironmentVariables = new Dictionary<string, string?> { ["ENGRAM_HOME"] = Home },
            StandardErrorLines = line => { lock (stderr) stderr.Add(line); },
        });
        return await McpClient.CreateAsync(transport);
    }

    [Fact]
    public async Task Engram_mcp_lists_the_tools_finds_a_stored_memory_and_round_trips_user_edits()
    {
        string id;
        var store = new SqliteMemoryStore(Path.Combine(Home, "engram.db"));
        await using (store)
        {
            var added = await new MemoryService(store).AddAsync(new AddMemoryRequest { Content = "The CI pipeline caches NuGet packages per branch" }, TestContext.Current.CancellationToken);
            id = added.Results[0].Memory.Id;
        }

        await using var client = await StartAsync();
        var tools = (await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken)).Select(t => t.Name).ToHashSet();
        foreach (var name in new[] { "search", "timeline", "get_observations", "conversation_search", "recent_chats", "memory_user_edits", "remember", "forget" })
        {
            Assert.Contains(name, tools);
        }
        Assert.Equal("engram", client.ServerInfo?.Name);

        var found = await client.CallTextAsync("search", new() { ["query"] = "nuget cache pipeline" });
        Assert.Contains($"[{id}]", found, StringComparison.Ordinal);

        await client.CallTextAsync("memory_user_edits", new() { ["command"] = "add", ["text"] = "Answer in British English" });
        Assert.Equal("1. Answer in British English", await client.CallTextAsync("memory_user_edits", new() { ["command"] = "view" }));
    }

    [Fact]
    public async Task Engram_mcp_with_a_tenant_sees_only_that_tenant()
    {
        var store = new SqliteMemoryStore(Path.Combine(Home, "engram.db"));
        await using (store)
        {
            await new MemoryService(store).AddAsync(new AddMemoryRequest { Content = "Default tenant knows the office wifi password", Scope = MemoryScope.Default }, TestContext.Current.CancellationToken);
        }
        await using var client = await StartAsync("--tenant", "other");
        Assert.StartsWith("No memories match", await client.CallTextAsync("search", new() { ["query"] = "office wifi password" }), StringComparison.Ordinal);
    }
}
