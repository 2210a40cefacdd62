using System.Net;
using Microsoft.AspNetCore.Http;

namespace Engram.Server;

/// <summary>
/// Protects a loopback server from web pages the user opens. Such a page can reach 127.0.0.1 through DNS
/// rebinding (its own name resolving to 127.0.0.1, so the Host header is foreign) or by a cross-site request
/// (a foreign Origin, or <c>Origin: null</c> from a sandboxed frame or a data:/file: page). Every request that
/// did not authenticate with a valid API key must name a loopback host and, when it has an origin, a loopback
/// origin; whatever other headers it carries (an empty Authorization, X-Forwarded-Host) change nothing.
/// Runs after <see cref="ApiKeyAuthentication"/>, which tells it whether a valid key was presented.
/// </summary>
internal sealed class LocalOriginGuard(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var refusal = ApiKeyAuthentication.KeyId(context) is null ? Refusal(context.Request) : null;
        if (refusal is not null)
        {
            await refusal.ExecuteAsync(context);
            return;
        }
        await next(context);
    }

    private static IResult? Refusal(HttpRequest request)
    {
        var host = request.Host.Host;
        if (request.Headers.Host.Count != 1 || !IsLocalHost(host))
        {
            return Problems.Make(StatusCodes.Status421MisdirectedRequest, "Misdirected request",
                $"this server answers only as localhost or a loopback address, not as '{Printable(host)}' (use an API key to call it from elsewhere)");
        }
        var origins = request.Headers.Origin;
        if (origins.Count > 1 || (origins.Count == 1 && !IsLocalOrigin(origins[0])))
        {
            return Problems.Make(StatusCodes.Status403Forbidden, "Forbidden",
                $"requests from web pages of other origins ('{Printable(origins.ToString())}') are refused; only pages served from this machine's loopback addresses may call a server without API keys");
        }
        // Browsers say where a request comes from even when they send no Origin (a no-cors GET, an image):
        // only a top-level navigation (a link to the viewer) may come from another site.
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Equals("cross-site", StringComparison.OrdinalIgnoreCase)
            && !(HttpMethods.IsGet(request.Method) && request.Headers["Sec-Fetch-Mode"].ToString().Equals("navigate", StringComparison.OrdinalIgnoreCase)))
        {
            return Problems.Make(StatusCodes.Status403Forbidden, "Forbidden", "requests made by web pages of other sites are refused");
        }
        return null;
    }

    /// <summary>Exactly "localhost" or a loopback IP literal; no other name, since any other name could resolve anywhere.</summary>
    internal static bool IsLocalHost(string? host)
    {
        if (string.IsNullOrEmpty(host)) return false;
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        // Only digits, dots, colons and hex letters: IPAddress.TryParse also accepts forms no browser would send as a name.
        if (literal.Length == 0 || !literal.All(c => char.IsAsciiHexDigit(c) || c is '.' or ':')) return false;
        return IPAddress.TryParse(literal, out var address) && IsLoopback(address);
    }

    /// <summary>127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.0.0.1).</summary>
    internal static bool IsLoopback(IPAddress address) =>
        IPAddress.IsLoopback(address) || (address.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(address.MapToIPv4()));

    private static bool IsLocalOrigin(string? origin) =>
        origin is not null && origin != "null"
        && Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.AbsolutePath == "/" && uri.UserInfo.Length == 0
        && IsLocalHost(uri.Host);

    /// <summary>Header text echoed in an answer, without control characters and bounded in length.</summary>
    internal static string Printable(string text)
    {
        var clean = new string([.. text.Take(200).Select(c => char.IsControl(c) ? '?' : c)]);
        return text.Length > 200 ? clean + "…" : clean;
    }
}
