using System.Net;
using Microsoft.AspNetCore.Http;

namespace Engram.Server;

/// <summary>
/// Protects a keyless local server from web pages: a page the user opens could otherwise reach
/// 127.0.0.1 through DNS rebinding (a foreign Host header) or a cross-site request (a foreign
/// Origin header). Requests that carry an API key are left to the key check.
/// </summary>
internal sealed class LocalOriginGuard(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Headers.Authorization.Count == 0)
        {
            if (!IsLocalHost(context.Request.Host.Host))
            {
                await Problems.Make(StatusCodes.Status421MisdirectedRequest, "Misdirected request",
                    $"this server answers only as localhost or a loopback address, not as '{context.Request.Host.Host}' (use an API key to call it from elsewhere)").ExecuteAsync(context);
                return;
            }
            var origin = context.Request.Headers.Origin.ToString();
            if (origin.Length > 0 && origin != "null" && (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || !IsLocalHost(uri.Host)))
            {
                await Problems.Make(StatusCodes.Status403Forbidden, "Forbidden",
                    $"requests from web pages of other origins ('{origin}') are refused").ExecuteAsync(context);
                return;
            }
        }
        await next(context);
    }

    private static bool IsLocalHost(string host)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        var trimmed = host.Trim('[', ']');
        return IPAddress.TryParse(trimmed, out var address) && IPAddress.IsLoopback(address);
    }
}
