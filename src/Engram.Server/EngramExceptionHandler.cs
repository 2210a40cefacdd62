using System.Data.Common;
using Engram.Core;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Engram.Server;

/// <summary>
/// Turns exceptions into problem details. Engram's own errors about the request carry a message meant for
/// the caller (400, 404). An error that wraps another one reports a failure of something the server depends
/// on (the database, a model provider, a file): that is the server's fault, never answered 4xx, because
/// clients do not retry a 4xx and the write would be lost.
/// </summary>
internal sealed class EngramExceptionHandler(ILogger<EngramExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var result = exception switch
        {
            MemoryNotFoundException notFound => Problems.Make(StatusCodes.Status404NotFound, "Not found", notFound.Message),
            EngramException { InnerException: null } engram => Problems.Make(StatusCodes.Status400BadRequest, "Request not carried out", engram.Message),
            BadHttpRequestException bad => Problems.Make(bad.StatusCode, "Bad request", bad.Message),
            _ => null,
        };
        if (result is null)
        {
            logger.LogError(exception, "Server-side failure serving {Method} {Path}", context.Request.Method, context.Request.Path);
            result = ServerFault(context, exception);
        }
        await result.ExecuteAsync(context);
        return true;
    }

    private static IResult ServerFault(HttpContext context, Exception exception)
    {
        if (exception is EngramException { InnerException: DbException })
        {
            context.Response.Headers.RetryAfter = "1";
            return Problems.Make(StatusCodes.Status503ServiceUnavailable, "Store unavailable",
                "the memory store failed or was busy and could not carry out the request; try again (the server's log has the cause)");
        }
        if (exception is EngramException { InnerException: HttpRequestException or TaskCanceledException or TimeoutException })
        {
            return Problems.Make(StatusCodes.Status502BadGateway, "Provider failed",
                "a model provider the server depends on failed; try again later (the server's log has the cause)");
        }
        return Problems.Make(StatusCodes.Status500InternalServerError, "Internal error", "the server failed to handle the request; see its log");
    }
}
