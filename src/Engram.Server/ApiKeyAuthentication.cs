using Engram.Core.Security;
using Microsoft.AspNetCore.Http;

namespace Engram.Server;

/// <summary>
/// Who a request acts for. Without API keys (a local, loopback-only server) everyone is the default
/// tenant; once any key exists, every call must present one and acts for that key's tenant only.
/// </summary>
internal sealed class ApiKeyAuthentication(RequestDelegate next, IApiKeyStore keys, ServerRuntimeOptions options)
{
    private static readonly object CallerKey = new();
    private static readonly object KeyIdKey = new();

    public async Task InvokeAsync(HttpContext context)
    {
        if (IsPublic(context.Request.Path))
        {
            await next(context);
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            const string bearer = "Bearer ";
            var secret = header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) ? header[bearer.Length..].Trim() : "";
            var key = secret.Length == 0 ? null : await keys.FindActiveApiKeyAsync(ApiKeySecrets.Hash(secret), context.RequestAborted);
            if (key is null)
            {
                await UnauthorizedAsync(context, secret.Length == 0
                    ? "the Authorization header must be 'Bearer <API key>'"
                    : "the API key is not valid or was revoked");
                return;
            }
            context.Items[CallerKey] = new EngramCaller(key.Tenant);
            context.Items[KeyIdKey] = key.Id;
        }
        else if (options.RequireApiKeys || await keys.HasActiveApiKeysAsync(context.RequestAborted))
        {
            await UnauthorizedAsync(context, "this server requires an API key: send 'Authorization: Bearer <key>' (create one with: engram apikey create --tenant T)");
            return;
        }
        else
        {
            context.Items[CallerKey] = EngramCaller.Default;
        }
        await next(context);
    }

    /// <summary>The caller the request was authenticated as.</summary>
    public static EngramCaller Caller(HttpContext context) =>
        context.Items[CallerKey] as EngramCaller ?? throw new InvalidOperationException("request was not authenticated");

    /// <summary>
    /// The caller, or the local user when no Engram key check ran (endpoints an app mapped without Engram's middleware:
    /// that app decides who may call them).
    /// </summary>
    public static EngramCaller CallerOrLocal(HttpContext context) => context.Items[CallerKey] as EngramCaller ?? EngramCaller.Default;

    /// <summary>The id of the API key used, or null for an anonymous local call.</summary>
    public static string? KeyId(HttpContext context) => context.Items[KeyIdKey] as string;

    public static bool IsPublic(PathString path) =>
        path.Equals("/health", StringComparison.OrdinalIgnoreCase) || path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase)
        || ViewerEndpoint.IsViewerFile(path);

    private static async Task UnauthorizedAsync(HttpContext context, string detail)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer realm=\"engram\"";
        await Problems.Make(StatusCodes.Status401Unauthorized, "Unauthorized", detail).ExecuteAsync(context);
    }
}
