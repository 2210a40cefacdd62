using Engram.Core.Security;
using System.IO.Pipelines;
using Engram.Core.Services;
using Engram.Sqlite;
using Engram.Testing;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Engram.Mcp.Tests;

/// <summary>
/// A real MCP client connected to Engram's real MCP server through in-memory pipes, over a real
/// SQLite store in a temporary folder (or, with ENGRAM_TEST_SERVER_STORE=postgres, a fresh schema of the
/// PostgreSQL server in ENGRAM_TEST_POSTGRES). One store can serve several callers (tenants).
/// </summary>
public sealed class McpPair : IAsyncDisposable
{
    private readonly List<(McpClient Client, McpServer Server, Task Run, CancellationTokenSource Stop)> _connections = [];
    private readonly TempFolder _folder = new();

    public McpPair()
    {
        Store = Environment.GetEnvironmentVariable("ENGRAM_TEST_SERVER_STORE") == "postgres"
            ? new Engram.Postgres.PostgresMemoryStore(_schema = TestPostgres.NewSchemaAsync().GetAwaiter().GetResult())
            : new SqliteMemoryStore(_folder.File("engram.db"));
        Memory = new MemoryService(Store);
    }

    private readonly string? _schema;

    public Engram.Core.Storage.IEngramStore Store { get; }
    public IMemoryService Memory { get; }

    public async Task<McpClient> ConnectAsync(EngramCaller caller)
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        var server = EngramMcpServer.Create(
            new StreamServerTransport(toServer.Reader.AsStream(), toClient.Writer.AsStream(), "engram-test"), Memory, caller);
        var stop = new CancellationTokenSource();
        var run = server.RunAsync(stop.Token);
        var client = await McpClient.CreateAsync(new StreamClientTransport(toServer.Writer.AsStream(), toClient.Reader.AsStream(), null));
        _connections.Add((client, server, run, stop));
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (client, server, run, stop) in _connections)
        {
            await client.DisposeAsync();
            await stop.CancelAsync();
            try { await run; } catch (OperationCanceledException) { }
            await server.DisposeAsync();
            stop.Dispose();
        }
        await Store.DisposeAsync();
        _folder.Dispose();
        if (_schema is not null) await TestPostgres.DropSchemaAsync(_schema);
    }
}

public static class McpClientText
{
    /// <summary>Calls a tool and returns its text; fails the test when the tool reports an error.</summary>
    public static async Task<string> CallTextAsync(this McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments);
        var text = string.Join("\n", result.Content.OfType<TextContentBlock>().Select(b => b.Text));
        Assert.False(result.IsError == true, $"{tool} failed: {text}");
        return text;
    }

    /// <summary>Calls a tool that is expected to fail and returns its error text.</summary>
    public static async Task<string> CallErrorAsync(this McpClient client, string tool, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync(tool, arguments);
        var text = string.Join("\n", result.Content.OfType<TextContentBlock>().Select(b => b.Text));
        Assert.True(result.IsError == true, $"{tool} was expected to fail but returned: {text}");
        return text;
    }
}
