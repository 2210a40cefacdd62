using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Threading.RateLimiting;
using Engram.Core;
using Engram.Core.Security;
using Engram.Core.Services;
using Engram.Core.Storage;
using Engram.Mcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.OpenApi;

namespace Engram.Server;

/// <summary>
/// The worker behind <c>engram serve</c>: REST under /api/v1, MCP at /mcp, the event stream,
/// /health, /openapi/v1.json and the web viewer at /, on Kestrel. Build it over a memory service and an API key store,
/// start it, and stop it (gracefully) when done.
/// </summary>
public sealed class EngramServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EngramServer(WebApplication app, ServerRuntimeOptions options)
    {
        _app = app;
        Options = options;
    }

    public ServerRuntimeOptions Options { get; }

    /// <summary>The address it listens on, such as http://127.0.0.1:37777 (known once started).</summary>
    public Uri Address => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public MemoryEventHub Events => _app.Services.GetRequiredService<MemoryEventHub>();

    /// <summary>
    /// Builds the server. Refuses to listen beyond loopback without API keys: anyone who can reach the
    /// port could otherwise read and erase every memory.
    /// </summary>
    /// <param name="memory">The memory service the API and tools use.</param>
    /// <param name="store">Its store: API keys, the change feed (the event stream) and the queue (its depth is streamed).</param>
    /// <param name="services">Adds services, such as a background worker (an <see cref="IHostedService"/>).</param>
    /// <param name="endpoints">Maps more endpoints; they sit behind the same API-key check and rate limit
    /// (use <see cref="CallerOf"/> for the caller's tenant).</param>
    public static async Task<EngramServer> CreateAsync(
        IMemoryService memory, IEngramStore store, ServerRuntimeOptions options,
        Action<ILoggingBuilder>? logging = null,
        Action<IServiceCollection>? services = null,
        Action<IEndpointRouteBuilder>? endpoints = null,
        CancellationToken cancellationToken = default)
    {
        var keys = store.ApiKeys;
        var feed = store.Changes;
        if (!options.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) ServerRuntimeOptions.ParseAddress(options.Host);
        if (!options.IsLoopback)
        {
            if (!await keys.HasActiveApiKeysAsync(cancellationToken))
            {
                throw new EngramException(
                    $"refusing to listen on {options.Host}:{options.Port} without API keys: anyone who can reach it could read and delete every memory. " +
                    "Create a key first (engram apikey create --tenant T), or listen on 127.0.0.1 (--host 127.0.0.1)");
            }
            options = options with { RequireApiKeys = true };
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "Engram.Server" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes;
            if (options.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) kestrel.ListenLocalhost(options.Port);
            else kestrel.Listen(ServerRuntimeOptions.ParseAddress(options.Host), options.Port);
        });
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // A failed start (a port in use) is reported to the user by the caller, without the host's stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        logging?.Invoke(builder.Logging);

        var collection = builder.Services;
        collection.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
        collection.AddRoutingCore();
        collection.AddProblemDetails();
        collection.AddExceptionHandler<EngramExceptionHandler>();
        collection.ConfigureHttpJsonOptions(json =>
        {
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, ServerJsonContext.Default);
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
        });
        collection.AddOpenApi(openApi => openApi.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Engram";
            document.Info.Description = "Persistent memory for AI agents: Mem0-shaped REST API, MCP at /mcp, live events at /api/v1/stream. " +
                "When API keys exist, send Authorization: Bearer <key>.";
            document.Info.Version = Version;
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key from engram apikey create, required once any key exists.",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
            return Task.CompletedTask;
        }));
        collection.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                // The local user (no key, on loopback) is never limited: they own the machine and the data,
                // and 32 agents at once must not be turned away. Each API key has its own budget.
                if (ApiKeyAuthentication.IsPublic(context.Request.Path) || options.RateLimitPerMinute <= 0) return RateLimitPartition.GetNoLimiter("none");
                string partition;
                if (ApiKeyAuthentication.KeyId(context) is { } keyId) partition = "key:" + keyId;
                else if (context.Connection.RemoteIpAddress is { } ip && LocalOriginGuard.IsLoopback(ip)) return RateLimitPartition.GetNoLimiter("local");
                else partition = "ip:" + context.Connection.RemoteIpAddress;
                return RateLimitPartition.GetFixedWindowLimiter(partition, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.RateLimitPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = async (rejected, token) =>
            {
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    rejected.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                await Problems.Make(StatusCodes.Status429TooManyRequests, "Too many requests",
                    $"more than {options.RateLimitPerMinute} requests a minute with this key; slow down (Server:RateLimitPerMinute)").ExecuteAsync(rejected.HttpContext);
            };
        });
        collection.AddSingleton<MemoryEventHub>();
        collection.AddSingleton(options);
        collection.AddSingleton(keys);
        collection.AddSingleton(feed);
        collection.AddSingleton(memory);
        collection.AddSingleton(store.Injections);
        collection.AddHostedService(services => new ChangeFeedPump(feed, store.Queue, memory,
            services.GetRequiredService<MemoryEventHub>(), options, services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetRequiredService<ILogger<ChangeFeedPump>>()));

        // MCP over Streamable HTTP, stateless: each POST gets a fresh server whose tools act for the request's caller.
        collection.AddHttpContextAccessor();
        collection.AddEngramMcpTools(sp => ApiKeyAuthentication.Caller(sp.GetRequiredService<IHttpContextAccessor>().HttpContext
            ?? throw new InvalidOperationException("an MCP tool ran outside a request")));
        collection.AddMcpServer(EngramMcpServer.Configure).WithHttpTransport(o => o.Stateless = true);

        services?.Invoke(collection);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use((context, next) =>
        {
            context.Request.Body = new ClientBodyStream(context.Request.Body);
            return next(context);
        });
        app.UseMiddleware<ApiKeyAuthentication>();
        if (!options.RequireApiKeys) app.UseMiddleware<LocalOriginGuard>();
        app.UseMiddleware<JsonWriteGuard>();
        app.UseRateLimiter();
        app.MapGet("/health", async (IApiKeyStore keyStore, ServerRuntimeOptions o, CancellationToken token) =>
                TypedResults.Json(new HealthResponse("ok", Version, o.RequireApiKeys || await keyStore.HasActiveApiKeysAsync(token)), ServerJsonContext.Default.HealthResponse))
            .WithTags("health").WithName("Health").WithSummary("Liveness; says whether API keys are required");
        app.MapOpenApi("/openapi/{documentName}.json");
        MemoryEndpoints.Map(app);
        ContextEndpoints.Map(app);
        CorrectionEndpoints.Map(app);
        StreamEndpoint.Map(app);
        app.MapMcp("/mcp").WithTags("mcp").WithSummary("MCP Streamable HTTP endpoint (stateless): one JSON-RPC message per POST");
        ViewerEndpoint.Map(app);
        endpoints?.Invoke(app);
        return new EngramServer(app, options);
    }

    /// <summary>The caller a request was authenticated as: its tenant comes from its API key (the default tenant without keys).</summary>
    public static Engram.Core.Security.EngramCaller CallerOf(HttpContext context) => ApiKeyAuthentication.Caller(context);

    /// <summary>Starts listening; an address this machine cannot listen on is reported as one clear <see cref="EngramException"/>.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _app.StartAsync(cancellationToken);
        }
        catch (SocketException ex)
        {
            throw new EngramException($"cannot listen on {Options.Host}:{Options.Port}: {ex.Message.TrimEnd('.')}; " +
                "use 127.0.0.1, ::1, localhost, or an address of one of this machine's network interfaces");
        }
    }

    /// <summary>After <see cref="StartAsync"/>: waits until the token is cancelled or the process is asked to stop (Ctrl+C, SIGTERM), then stops gracefully.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops accepting requests, ends the event streams, and lets requests in flight finish.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    public static string Version =>
        typeof(EngramServer).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
