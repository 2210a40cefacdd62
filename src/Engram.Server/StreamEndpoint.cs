using System.Globalization;
using System.Text;
using Engram.Core.Services;
using Engram.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Engram.Server;

/// <summary>
/// GET /api/v1/stream: server-sent events of the caller's tenant (memory_added, memory_updated,
/// memory_deleted, observation, summary, and queue for the default tenant). Event ids are positions
/// in the store's history, so a client that reconnects with Last-Event-ID gets every change it
/// missed, even across server restarts.
/// </summary>
internal static class StreamEndpoint
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/stream", StreamAsync).WithTags("stream")
            .WithName("Stream").WithSummary("Live events as server-sent events; reconnect with Last-Event-ID to resume")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream").ProducesProblem(400).ProducesProblem(401);

    private static async Task StreamAsync(HttpContext context, MemoryEventHub hub, IChangeFeed feed, IMemoryService memory, IHostApplicationLifetime lifetime)
    {
        var tenant = ApiKeyAuthentication.Caller(context).Tenant;
        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
        if (lastEventId.Length == 0) lastEventId = context.Request.Query["last_event_id"].ToString();
        long? after = null;
        if (lastEventId.Length > 0)
        {
            if (!long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                await Problems.BadRequest($"Last-Event-ID '{lastEventId}' is not an event id from this stream").ExecuteAsync(context);
                return;
            }
            after = id;
        }

        // Follow live events first, so nothing published during the replay is lost; repeats are skipped by id.
        using var subscription = hub.Subscribe();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();

        try
        {
            await WriteAsync(response, "retry: 3000\n: connected\n\n", stop.Token);
            var sent = after ?? 0;
            if (after is { } from)
            {
                while (true)
                {
                    var changes = await feed.ReadChangesAsync(sent, 500, stop.Token);
                    if (changes.Count == 0) break;
                    foreach (var change in changes)
                    {
                        if (change.Entry.Scope.Tenant == tenant)
                        {
                            foreach (var e in await ChangeEvents.ToEventsAsync(change, memory, stop.Token)) await WriteEventAsync(response, e, stop.Token);
                        }
                        sent = change.Seq;
                    }
                }
            }
            while (!stop.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                wait.CancelAfter(Heartbeat);
                try
                {
                    var e = await subscription.Events.ReadAsync(wait.Token);
                    if (e.Tenant != tenant || (e.Id != 0 && e.Id <= sent && after is not null)) continue;
                    await WriteEventAsync(response, e, stop.Token);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    await WriteAsync(response, ": ping\n\n", stop.Token);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client went away or the server is shutting down: both end the stream normally.
        }
    }

    private static Task WriteEventAsync(HttpResponse response, ServerEvent e, CancellationToken cancellationToken) =>
        WriteAsync(response, (e.Id > 0 ? $"id: {e.Id.ToString(CultureInfo.InvariantCulture)}\n" : "") + $"event: {e.Type}\ndata: {e.Data}\n\n", cancellationToken);

    private static async Task WriteAsync(HttpResponse response, string text, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }
}
