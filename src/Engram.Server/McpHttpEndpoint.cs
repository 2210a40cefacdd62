using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Engram.Core.Services;
using Engram.Mcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Engram.Server;

/// <summary>
/// MCP over Streamable HTTP at /mcp, in stateless mode: each POST carries one JSON-RPC message,
/// gets its own short-lived server bound to the caller's tenant, and is answered on the same
/// response (as an SSE stream). No session outlives a request, so any number of clients, and any
/// number of server processes behind a balancer, need no shared state.
/// </summary>
internal static class McpHttpEndpoint
{
    private static readonly JsonTypeInfo<JsonRpcMessage> MessageType =
        (JsonTypeInfo<JsonRpcMessage>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcMessage));
    private static readonly JsonTypeInfo<JsonRpcError> ErrorType =
        (JsonTypeInfo<JsonRpcError>)McpJsonUtilities.DefaultOptions.GetTypeInfo(typeof(JsonRpcError));

    private const string ProtocolVersionHeader = "MCP-Protocol-Version";

    /// <summary>Revisions from 2026-07-28 on have no sessions and no initialize handshake (versions are ISO dates).</summary>
    private static bool RequiresPerRequestMetadata(string version) =>
        version.Length > 0 && string.CompareOrdinal(version, "2026-07-28") >= 0;

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/mcp", PostAsync).WithTags("mcp").WithName("McpPost")
            .WithSummary("MCP Streamable HTTP endpoint (stateless): one JSON-RPC message per POST")
            .Accepts<JsonElement>("application/json").Produces(StatusCodes.Status200OK, contentType: "text/event-stream").ProducesProblem(401);
        app.MapMethods("/mcp", [HttpMethods.Get, HttpMethods.Delete], NotAllowed).ExcludeFromDescription();
    }

    private static async Task PostAsync(HttpContext context, IMemoryService memory, ILoggerFactory loggerFactory)
    {
        var accept = context.Request.GetTypedHeaders().Accept;
        if (!accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || a.MatchesAllTypes)
            || !accept.Any(a => a.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase) || a.MatchesAllTypes))
        {
            await ErrorAsync(context, StatusCodes.Status406NotAcceptable, "Not Acceptable: the client must accept both application/json and text/event-stream");
            return;
        }

        JsonRpcMessage? message;
        try
        {
            message = await JsonSerializer.DeserializeAsync(context.Request.Body, MessageType, context.RequestAborted);
        }
        catch (JsonException)
        {
            message = null;
        }
        catch (BadHttpRequestException ex)
        {
            await ErrorAsync(context, ex.StatusCode, "the request body is too large or malformed");
            return;
        }
        if (message is null)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "Bad Request: the body is not a JSON-RPC message", (int)McpErrorCode.InvalidRequest);
            return;
        }
        var protocolVersion = context.Request.Headers[ProtocolVersionHeader].ToString();
        if (protocolVersion.Length > 0)
        {
            message.Context ??= new JsonRpcMessageContext();
            message.Context.ProtocolVersion = protocolVersion;
        }

        var caller = ApiKeyAuthentication.Caller(context);
        var transport = new StreamableHttpServerTransport(loggerFactory) { Stateless = true };
        await using var server = EngramMcpServer.Create(transport, memory, caller, loggerFactory);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var run = server.RunAsync(stop.Token);
        try
        {
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache,no-store";
            context.Response.Headers.ContentEncoding = "identity";
            context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
            var wrote = await transport.HandlePostRequestAsync(message, context.Response.Body, FirstMessage, context.RequestAborted);
            if (!wrote)
            {
                context.Response.Headers.ContentType = (string?)null;
                context.Response.StatusCode = StatusCodes.Status202Accepted;
            }
        }
        finally
        {
            await transport.DisposeAsync();
            await stop.CancelAsync();
            try
            {
                await run;
            }
            catch (OperationCanceledException)
            {
                // The per-request server stops with its request.
            }
        }

        // Newer protocol revisions map some JSON-RPC errors onto HTTP statuses, chosen before the first byte.
        ValueTask FirstMessage(JsonRpcMessage? first)
        {
            if (first is JsonRpcError { Error: { } error } && !context.Response.HasStarted && RequiresPerRequestMetadata(protocolVersion))
            {
                context.Response.StatusCode = (McpErrorCode)error.Code switch
                {
                    McpErrorCode.MethodNotFound => StatusCodes.Status404NotFound,
                    McpErrorCode.MissingRequiredClientCapability or McpErrorCode.UnsupportedProtocolVersion or McpErrorCode.HeaderMismatch => StatusCodes.Status400BadRequest,
                    _ => context.Response.StatusCode,
                };
            }
            return default;
        }
    }

    private static async Task NotAllowed(HttpContext context)
    {
        context.Response.Headers.Allow = HttpMethods.Post;
        await ErrorAsync(context, StatusCodes.Status405MethodNotAllowed, "Method Not Allowed: this server is stateless; send every MCP message as a POST");
    }

    private static Task ErrorAsync(HttpContext context, int status, string message, int code = -32000) =>
        Results.Json(new JsonRpcError { Id = default, Error = new JsonRpcErrorDetail { Code = code, Message = message } }, ErrorType, statusCode: status)
            .ExecuteAsync(context);
}
