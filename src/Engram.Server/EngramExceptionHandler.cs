using System.Data.Common;
using Engram.Core;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Engram.Server;

/// <summary>
/// Turns exceptions into problem details. Engram's own errors about the request carry a message meant for
/// the caller (400, 404). The store failing (<see cref="StoreUnavailableException"/>, a database error) is 503
/// with Retry-After; any other error that wraps another one reports a failure of something the server depends
/// on (a model provider, a file): that is the server's fault too, never answered 4xx, because clients do not
/// retry a 4xx and the write would be lost.
/// </summary>
internal sealed class EngramExceptionHandler(ILogger<EngramExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var result = exception switch
        {
            MemoryNotFoundException notFound => Problems.Make(StatusCodes.Status404NotFound, "Not found", notFound.Message),
            // The store's fault, not the request's: 503, so clients retry instead of dropping the write.
            StoreUnavailableException store => Unavailable(context, store.Message, store),
            DbException or EngramException { InnerException: DbException } => Unavailable(context, "the store failed to carry out the request; see the server's log", exception),
            EngramException { InnerException: null } engram => Problems.Make(StatusCodes.Status400BadRequest, "Request not carried out", engram.Message),
            BadHttpRequestException bad => Problems.Make(bad.StatusCode, "Bad request", bad.Message),
            _ => null,
        };
        if (result is null)
        {
            logger.LogError(exception, "Server-side failure serving {Method} {Path}", context.Request.Method, context.Request.Path);
            result = exception is EngramException { InnerException: HttpRequestException or TaskCanceledException or TimeoutException }
                ? Problems.Make(StatusCodes.Status502BadGateway, "Provider failed",
                    "a model provider the server depends on failed; try again later (the server's log has the cause)")
                : Problems.Make(StatusCodes.Status500InternalServerError, "Internal error", "the server failed to handle the request; see its log");
        }
        await result.ExecuteAsync(context);
        return true;
    }

    private IResult Unavailable(HttpContext context, string detail, Exception exception)
    {
        logger.LogError(exception, "The store failed serving {Method} {Path}", context.Request.Method, context.Request.Path);
        context.Response.Headers.RetryAfter = "1";
        return Problems.Make(StatusCodes.Status503ServiceUnavailable, "Store unavailable", detail);
    }
}
