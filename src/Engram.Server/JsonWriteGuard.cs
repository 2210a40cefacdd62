using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Engram.Server;

/// <summary>
/// Every request that can change something must say it sends JSON. A web page can send a POST to any
/// address without asking first (a CORS "simple request") only as text/plain, a form or multipart, or with
/// no body at all; requiring <c>Content-Type: application/json</c> turns each of those away before any
/// endpoint runs, so no page can wipe or plant memories. PUT, PATCH and DELETE are never simple requests,
/// but a body they carry must be JSON too.
/// </summary>
internal sealed class JsonWriteGuard(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!IsSafe(request.Method) && (HttpMethods.IsPost(request.Method) || HasBody(request)) && !IsJson(request))
        {
            await Problems.Make(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                $"{request.Method} requests must send a JSON body with Content-Type: application/json" +
                (request.ContentType is { Length: > 0 } type ? $", not '{LocalOriginGuard.Printable(type)}'" : "") +
                (HttpMethods.IsPost(request.Method) ? " (send {} when there is nothing to say)" : "")).ExecuteAsync(context);
            return;
        }
        if (HasBody(request) && IsJson(request))
        {
            // Buffered (within Server:MaxRequestBytes) so every endpoint reads text it can decode.
            byte[] body;
            try
            {
                using var buffer = new MemoryStream();
                await request.Body.CopyToAsync(buffer, context.RequestAborted);
                body = buffer.ToArray();
            }
            catch (BadHttpRequestException ex)
            {
                await Problems.Make(ex.StatusCode, ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Body too large" : "Bad request",
                    ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? "the request body is larger than this server accepts (Server:MaxRequestBytes)" : ex.Message).ExecuteAsync(context);
                return;
            }
            // Decoded leniently, as the hook pipeline does: a cut emoji or a stray byte becomes U+FFFD, the rest is kept.
            var repaired = Engram.Agents.Capture.LenientJson.Repair(body);
            request.Body = new MemoryStream(repaired, writable: false);
            request.ContentLength = repaired.Length;
            request.Headers.TransferEncoding = default;
        }
        await next(context);
    }

    private static bool IsSafe(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;

    /// <summary>application/json or application/something+json, named once.</summary>
    internal static bool IsJson(HttpRequest request)
    {
        var values = request.Headers.ContentType;
        if (values.Count != 1 || !MediaTypeHeaderValue.TryParse(values[0], out var type)) return false;
        return type.Type.Equals("application", StringComparison.OrdinalIgnoreCase)
            && (type.SubType.Equals("json", StringComparison.OrdinalIgnoreCase) || type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
    }
}
