using Engram.Core.Security;
using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using Engram.Core.Serialization;
using Engram.Core.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Engram.Mcp;

/// <summary>
/// Builds Engram's MCP server on any transport: stdio for <c>engram mcp</c>, Streamable HTTP for
/// <c>engram serve</c>, in-memory pipes for tests. The tool and resource definitions are made once;
/// each server binds them to one memory service and one caller.
/// </summary>
public static class EngramMcpServer
{
    public const string ServerName = "engram";

    /// <summary>The URI template of the memory resources.</summary>
    public const string MemoryUriTemplate = "engram://memory/{id}";

    private const string Instructions =
        "Engram is your long-term memory of past sessions with this user: what was done, decided and learned. " +
        "Retrieve progressively, cheapest first: search (compact index lines with ids) -> timeline (what happened around a hit) " +
        "-> get_observations (full records, only for the ids you need). conversation_search and recent_chats find past sessions. " +
        "memory_user_edits manages the user's explicit standing memories; remember and forget store or delete single memories.";

    private static readonly Lazy<McpServerTool[]> Tools = new(CreateTools);
    private static readonly Lazy<McpServerResource[]> Resources = new(CreateResources);

    /// <summary>Names of the tools, in the order they are listed.</summary>
    public static IReadOnlyList<string> ToolNames => [.. Tools.Value.Select(t => t.ProtocolTool.Name)];

    /// <summary>Server options with every tool and resource. The tools find their caller through the server's services.</summary>
    public static McpServerOptions CreateOptions()
    {
        var options = new McpServerOptions { ScopeRequests = false };
        Configure(options);
        return options;
    }

    /// <summary>Gives options Engram's name, instructions, tools and resources (for <c>AddMcpServer(EngramMcpServer.Configure)</c>).</summary>
    public static void Configure(McpServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tools = new McpServerPrimitiveCollection<McpServerTool>();
        foreach (var tool in Tools.Value) tools.Add(tool);
        var resources = new McpServerResourceCollection();
        foreach (var resource in Resources.Value) resources.Add(resource);
        options.ServerInfo = new Implementation { Name = ServerName, Version = Version };
        options.ServerInstructions = Instructions;
        options.ToolCollection = tools;
        options.ResourceCollection = resources;
    }

    /// <summary>
    /// Makes the tools a scoped service acting for the caller <paramref name="callerOf"/> names (an HTTP host:
    /// the request's API key), so every request's tools see only its own tenant.
    /// </summary>
    public static IServiceCollection AddEngramMcpTools(this IServiceCollection services, Func<IServiceProvider, EngramCaller> callerOf) =>
        services.AddScoped(sp => new EngramTools(sp.GetRequiredService<IMemoryService>(), callerOf(sp), sp.GetService<TimeProvider>()));

    /// <summary>A server on <paramref name="transport"/> whose tools act for <paramref name="caller"/>. Run it with RunAsync.</summary>
    public static McpServer Create(ITransport transport, IMemoryService memory, EngramCaller caller, ILoggerFactory? loggerFactory = null) =>
        McpServer.Create(transport, CreateOptions(), loggerFactory, new CallerServices(new EngramTools(memory, caller)));

    /// <summary>
    /// The answer (one JSON-RPC line) a server for <paramref name="caller"/> gives to one request line, as <c>engram mcp</c>
    /// would answer it in a session of <paramref name="sessionVersion"/>: a request that names its protocol version in its
    /// <c>_meta</c> (2026-07-28 and later) is sent alone, any other after an <c>initialize</c> in that version. Lets a
    /// process that already has the store open and the model loaded answer a tool call for another (the worker, for engram-mcp).
    /// </summary>
    public static async Task<string> AnswerOneAsync(IMemoryService memory, EngramCaller caller, string request, string? sessionVersion, CancellationToken cancellationToken)
    {
        using var document = JsonDocument.Parse(request);
        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("id", out var id)
            || !document.RootElement.TryGetProperty("method", out _))
        {
            throw new ArgumentException("not a JSON-RPC request (an object with a method and an id)", nameof(request));
        }
        var key = IdKey(id) ?? throw new ArgumentException("the request's id must be a string or an integer", nameof(request));
        var modern = document.RootElement.TryGetProperty("params", out var parameters) && parameters.ValueKind == JsonValueKind.Object
            && parameters.TryGetProperty("_meta", out var meta) && meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty(MetaKeys.ProtocolVersion, out _);
        var toServer = new System.IO.Pipelines.Pipe();
        var fromServer = new System.IO.Pipelines.Pipe();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await using var transport = new StreamServerTransport(toServer.Reader.AsStream(), fromServer.Writer.AsStream(), ServerName);
        await using var server = Create(transport, memory, caller);
        var running = server.RunAsync(stop.Token);
        var input = toServer.Writer.AsStream();
        using var output = new StreamReader(fromServer.Reader.AsStream(), new System.Text.UTF8Encoding(false));
        async Task SendAsync(string line) => await input.WriteAsync(System.Text.Encoding.UTF8.GetBytes(line + "\n"), stop.Token);
        async Task<string> AnswerToAsync(string idKey)
        {
            while (await output.ReadLineAsync(stop.Token) is { } line)
            {
                using var message = JsonDocument.Parse(line);
                // An answer to this id, or an error the server could not tie to any request (its id null): the answer either way.
                if (!message.RootElement.TryGetProperty("method", out _) && message.RootElement.TryGetProperty("id", out var answered)
                    && (IdKey(answered) == idKey || answered.ValueKind == JsonValueKind.Null)) return line;
            }
            throw new IOException("the MCP server ended without answering");
        }
        try
        {
            if (!modern)
            {
                var version = string.IsNullOrEmpty(sessionVersion) ? "2025-06-18" : sessionVersion;
                await SendAsync($"{{\"jsonrpc\":\"2.0\",\"id\":\"engram-answer-init\",\"method\":\"initialize\",\"params\":{{\"protocolVersion\":{JsonSerializer.Serialize(version, EngramJsonContext.Default.String)},"
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"engram-mcp\",\"version\":\"1\"}}}");
                await AnswerToAsync("s:engram-answer-init");
                await SendAsync("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
            }
            await SendAsync(request);
            return await AnswerToAsync(key);
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await running;
            }
            catch (OperationCanceledException)
            {
                // The server stops with the answer given.
            }
        }
    }

    /// <summary>A JSON-RPC id as the SDK reads it (a string, or an integer), however it is escaped or spelled; null for any other.</summary>
    private static string? IdKey(JsonElement id)
    {
        try
        {
            return id.ValueKind switch
            {
                JsonValueKind.String => "s:" + id.GetString(),
                JsonValueKind.Number when id.TryGetInt64(out var number) => "n:" + number.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => null,
            };
        }
        catch (InvalidOperationException)
        {
            return null; // a string that is not UTF-16 (a lone surrogate escaped)
        }
    }

    private static string Version =>
        typeof(EngramMcpServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    private static McpServerTool[] CreateTools()
    {
        var methods = typeof(EngramTools).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.GetCustomAttribute<McpServerToolAttribute>() is not null);
        return [.. methods.Select(m => McpServerTool.Create(m, ToolsOf, new McpServerToolCreateOptions()))];
    }

    private static McpServerResource[] CreateResources()
    {
        var read = typeof(EngramMcpServer).GetMethod(nameof(ReadMemoryAsync), BindingFlags.NonPublic | BindingFlags.Static)!;
        return
        [
            McpServerResource.Create(read, (object?)null, new McpServerResourceCreateOptions
            {
                UriTemplate = MemoryUriTemplate,
                Name = "memory",
                Title = "Engram memory",
                Description = "One memory with every field, as JSON.",
                MimeType = "application/json",
            }),
        ];
    }

    /// <summary>Reads engram://memory/{id}.</summary>
    [Description("One memory with every field, as JSON.")]
    private static async Task<TextResourceContents> ReadMemoryAsync(RequestContext<ReadResourceRequestParams> context, string id, CancellationToken cancellationToken)
    {
        var tools = (EngramTools)context.Services!.GetService(typeof(EngramTools))!;
        var memory = await tools.ReadAsync(id, cancellationToken) ?? throw new McpException($"memory {id} not found");
        return new TextResourceContents
        {
            Uri = "engram://memory/" + memory.Id,
            MimeType = "application/json",
            Text = JsonSerializer.Serialize(MemoryItem.From(memory, new Engram.Core.Services.FileFreshness()), EngramJsonContext.Default.MemoryItem),
        };
    }

    private static object ToolsOf(RequestContext<CallToolRequestParams> context) =>
        context.Services?.GetService(typeof(EngramTools)) ?? throw new InvalidOperationException("the Engram MCP server was built without its tools");

    /// <summary>The only service the tools need: themselves, bound to the caller.</summary>
    private sealed class CallerServices(EngramTools tools) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(EngramTools) ? tools : null;
    }
}
