using System.Globalization;
using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Security;
using Engram.Hosting;
using Engram.Mcp;
using Engram.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Server;

namespace Engram.Cli;

/// <summary>serve (REST, MCP over HTTP, event stream), mcp (MCP over stdio) and apikey (tenant keys for serve).</summary>
internal static class ServerCommands
{
    public static IEnumerable<CommandSpec> All() =>
    [
        new("serve", "run the server: REST API, MCP over HTTP at /mcp, live events, background processing (Ctrl+C stops it)", ServeAsync)
        {
            Options = [new("host", "the address to listen on (default 127.0.0.1)", "HOST"), new("port", "the port to listen on (default 37777)", "PORT")],
            Details = () => "Listens on 127.0.0.1:37777 unless Server:Host / Server:Port or the flags say otherwise. Listening beyond\n" +
                "loopback needs API keys (engram apikey create --tenant T); once a key exists every call needs\n" +
                "'Authorization: Bearer <key>' and sees only its tenant. Endpoints: /api/v1/..., /mcp, /api/v1/stream,\n" +
                "/health, /openapi/v1.json.",
        },
        new("mcp", "MCP server over stdio for a local agent (stdout is the protocol; logs go to stderr)", McpAsync)
        {
            Options =
            [
                CommonOptions.Tenant, CommonOptions.User,
                new("call", "answer this one JSON-RPC request and exit (engram-mcp sends tool calls to the worker this way)", "REQUEST"),
                new("protocol", "with --call: the session's protocol version, for a request that does not name its own", "VERSION"),
            ],
            Details = () => "Register it with Claude Code: claude mcp add --scope user engram -- engram mcp\n" +
                "Tools: search, timeline, get_observations, conversation_search, recent_chats, memory_user_edits, remember, forget.\n" +
                "Resources: engram://memory/{id}.",
        },
        new("apikey", "create, list or revoke the API keys of engram serve (one tenant per key)", ApiKeyAsync)
        {
            Arguments =
            [
                new("ACTION", "create, list or revoke") { Candidates = () => ["create", "list", "revoke"] },
                new("ID", "the key to revoke (from engram apikey list)"),
            ],
            Options = [CommonOptions.Tenant with { Description = "the tenant the new key works in" }, new("name", "a name for the new key", "N"), CommonOptions.Json],
            Details = () => "Forms: engram apikey create --tenant T [--name N] | engram apikey list | engram apikey revoke ID\n" +
                "A key's secret is printed once, at creation; only its SHA-256 hash is stored.",
        },
    ];

    private static async Task<int> ServeAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var settingsStamp = CommandSocket.SettingsStamp(EngramHome.Resolve().Root);
        await using var runtime = await MemoryCommands.OpenAsync(cancellationToken);
        var settings = runtime.Settings.Server;
        var options = new ServerRuntimeOptions
        {
            Host = line.Value("host")?.Trim() ?? settings.Host,
            Port = Arguments.Int(line, "port", settings.Port, 0, 65535),
            RateLimitPerMinute = settings.RateLimitPerMinute,
            MaxRequestBytes = settings.MaxRequestBytes,
        };
        await using var server = await EngramServer.CreateAsync(runtime.Memory, runtime.Store, options,
            services: services => services.AddEngramWorker(_ => runtime.Agents(), () => CommandSocketServer.TryStart(runtime, Agents.Capture.HookLog.ForHome(runtime.Home.Root), settingsStamp)),
            endpoints: app => app.MapEngramHooks(), cancellationToken: cancellationToken);
        try
        {
            await server.StartAsync(cancellationToken);
        }
        catch (IOException ex)
        {
            throw new EngramException($"cannot listen on {options.Host}:{options.Port}: {ex.Message.TrimEnd('.')}; is another engram serve running? Pick another port with --port");
        }
        var keys = options.RequireApiKeys || await Keys(runtime).HasActiveApiKeysAsync(cancellationToken);
        Output.Error.WriteLine($"engram: serving {runtime.Store.Location} on {server.Address.ToString().TrimEnd('/')} " +
            $"(API keys {(keys ? "required" : "not required: local use only")}); REST /api/v1, MCP /mcp, events /api/v1/stream. Ctrl+C stops.");
        try
        {
            await server.WaitForShutdownAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: fall through to a graceful stop.
        }
        using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await server.StopAsync(grace.Token);
        Output.Error.WriteLine("engram: stopped");
        return 0;
    }

    private static async Task<int> McpAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var caller = new EngramCaller(line.Value("tenant")?.Trim() is { Length: > 0 } tenant ? tenant : MemoryScope.DefaultTenant,
            line.Value("user")?.Trim() is { Length: > 0 } user ? user : null);
        if (line.Value("call") is { } request) return await AnswerOneAsync(caller, request, line.Value("protocol"), cancellationToken);
        // The store opens on the first tool call: the agent waits for initialize before its first request.
        await using var memory = new LazyMemoryService(MemoryCommands.OpenAsync);
        using var loggerFactory = new LoggerFactory([new StderrLoggerProvider(
            Environment.GetEnvironmentVariable("ENGRAM_DEBUG") is "1" or "true" ? LogLevel.Debug : LogLevel.Warning)]);
        var transport = new StdioServerTransport(EngramMcpServer.ServerName, loggerFactory);
        await using var server = EngramMcpServer.Create(transport, memory, caller, loggerFactory);
        try
        {
            await server.RunAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C or the client closed the pipe: a normal end.
        }
        return 0;
    }

    /// <summary>One request answered as a session of <c>engram mcp</c> would answer it, printed as one line.</summary>
    private static async Task<int> AnswerOneAsync(EngramCaller caller, string request, string? protocol, CancellationToken cancellationToken)
    {
        await using var memory = new LazyMemoryService(MemoryCommands.OpenAsync);
        string answer;
        try
        {
            answer = await EngramMcpServer.AnswerOneAsync(memory, caller, request, protocol, cancellationToken);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or ArgumentException)
        {
            throw new UsageException($"--call takes one JSON-RPC request (an object with a method and an id): {ex.Message}");
        }
        Output.Line(answer);
        return 0;
    }

    private static async Task<int> ApiKeyAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var action = line.Positional(0, "create, list or revoke");
        await using var runtime = await MemoryCommands.OpenAsync(cancellationToken);
        var keys = Keys(runtime);
        switch (action)
        {
            case "create":
            {
                var tenant = line.Value("tenant")?.Trim();
                if (string.IsNullOrEmpty(tenant)) throw new UsageException("apikey create needs --tenant T: the tenant whose memories the key may use");
                if (line.Positionals.Count > 1) throw new UsageException($"unexpected '{line.Positionals[1]}'; usage: engram apikey create --tenant T [--name N]");
                var secret = ApiKeySecrets.NewSecret();
                var key = new ApiKey
                {
                    Id = MemoryId.System.Next(),
                    Tenant = tenant,
                    Name = line.Value("name")?.Trim() is { Length: > 0 } name ? name : null,
                    Prefix = ApiKeySecrets.PrefixOf(secret),
                    CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(runtime.Time.GetUtcNow().ToUnixTimeMilliseconds()),
                };
                await keys.CreateApiKeyAsync(key, ApiKeySecrets.Hash(secret), cancellationToken);
                if (line.Json)
                {
                    Output.Json(w =>
                    {
                        w.WriteStartObject();
                        WriteKeyFields(w, key);
                        w.WriteString("key", secret);
                        w.WriteEndObject();
                    });
                }
                else
                {
                    Output.Line(secret);
                    Output.Error.WriteLine($"engram: created key {key.Id} for tenant '{key.Tenant}'. The secret above is shown only now; " +
                        "send it as 'Authorization: Bearer <key>'. From now on engram serve requires a key on every call.");
                }
                return 0;
            }
            case "list":
            {
                if (line.Positionals.Count > 1) throw new UsageException($"unexpected '{line.Positionals[1]}'; usage: engram apikey list [--json]");
                var all = await keys.ListApiKeysAsync(cancellationToken);
                if (line.Json)
                {
                    Output.Json(w =>
                    {
                        w.WriteStartObject();
                        w.WriteStartArray("results");
                        foreach (var key in all)
                        {
                            w.WriteStartObject();
                            WriteKeyFields(w, key);
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                        w.WriteEndObject();
                    });
                }
                else if (all.Count == 0)
                {
                    Output.Error.WriteLine("no API keys: engram serve accepts local calls without one");
                }
                else
                {
                    foreach (var key in all)
                    {
                        var state = key.RevokedAt is { } at ? $"revoked {Output.Time(at)}" : "active";
                        Output.Line($"{key.Id}  {key.Prefix}…  tenant={key.Tenant}  {state}  created {Output.Time(key.CreatedAt)}{(key.Name is null ? "" : "  " + key.Name)}");
                    }
                }
                return 0;
            }
            case "revoke":
            {
                var id = line.Positional(1, "ID (from engram apikey list)");
                if (!await keys.RevokeApiKeyAsync(id, runtime.Time.GetUtcNow(), cancellationToken))
                {
                    throw new EngramException($"no active API key with id {id}; see engram apikey list");
                }
                if (line.Json)
                {
                    Output.Json(w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("id", id);
                        w.WriteBoolean("revoked", true);
                        w.WriteEndObject();
                    });
                }
                else
                {
                    Output.Line($"revoked {id}");
                }
                return 0;
            }
            default:
                throw new UsageException($"unknown apikey action '{action}'; use create, list or revoke");
        }
    }

    private static void WriteKeyFields(System.Text.Json.Utf8JsonWriter w, ApiKey key)
    {
        w.WriteString("id", key.Id);
        w.WriteString("tenant", key.Tenant);
        if (key.Name is not null) w.WriteString("name", key.Name);
        w.WriteString("prefix", key.Prefix);
        w.WriteString("created_at", key.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        if (key.RevokedAt is { } revoked) w.WriteString("revoked_at", revoked.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        w.WriteBoolean("active", key.IsActive);
    }

    private static IApiKeyStore Keys(EngramRuntime runtime) => runtime.Store.ApiKeys;
}
