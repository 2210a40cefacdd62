using Engram.Core;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Engram.Server;

/// <summary>Turns exceptions into problem details: Engram's own errors carry a message meant for the caller.</summary>
internal sealed class EngramExceptionHandler(ILogger<EngramExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var result = exception switch
        {
            MemoryNotFoundException notFound => Problems.Make(StatusCodes.Status404NotFound, "Not found", notFound.Message),
            // The store's fault, not the request's: 503, so clients retry instead of dropping the write.
            StoreUnavailableException store => Unavailable(context, store.Message, store),
            System.Data.Common.DbException db => Unavailable(context, "the store failed to carry out the request; see the server's log", db),
            EngramException engram => Problems.Make(StatusCodes.Status400BadRequest, "Request not carried out", engram.Message),
            BadHttpRequestException bad => Problems.Make(bad.StatusCode, "Bad request", bad.Message),
            _ => null,
        };
        if (result is null)
        {
            logger.LogError(exception, "Unexpected error serving {Method} {Path}", context.Request.Method, context.Request.Path);
            result = Problems.Make(StatusCodes.Status500InternalServerError, "Internal error", "the server failed to handle the request; see its log");
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
