using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Engram.Server;

/// <summary>
/// The web viewer at /: static files embedded in this assembly (a page, its style and its script modules). They hold no data, so they are
/// served without a key (the page must be able to ask for one); everything they show comes from the
/// API, which keeps its own checks.
/// </summary>
internal static class ViewerEndpoint
{
    // Memories are untrusted text: no inline script or style, nothing from other origins, no framing.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private static readonly (string Path, string File, string ContentType)[] Files =
    [
        ("/", "index.html", "text/html; charset=utf-8"),
        ("/viewer.js", "viewer.js", "text/javascript; charset=utf-8"),
        ("/common.js", "common.js", "text/javascript; charset=utf-8"),
        ("/detail.js", "detail.js", "text/javascript; charset=utf-8"),
        ("/insight.js", "insight.js", "text/javascript; charset=utf-8"),
        ("/charts.js", "charts.js", "text/javascript; charset=utf-8"),
        ("/viewer.css", "viewer.css", "text/css; charset=utf-8"),
    ];

    public static bool IsViewerFile(PathString path) =>
        Files.Any(f => path.Equals(f.Path, StringComparison.OrdinalIgnoreCase));

    public static void Map(IEndpointRouteBuilder app)
    {
        foreach (var (path, file, contentType) in Files)
        {
            var bytes = Load(file);
            app.MapGet(path, (HttpContext context) =>
            {
                var headers = context.Response.Headers;
                headers.CacheControl = "no-cache";
                headers.XContentTypeOptions = "nosniff";
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers["Referrer-Policy"] = "no-referrer";
                return TypedResults.Bytes(bytes, contentType);
            }).ExcludeFromDescription();
        }
    }

    private static byte[] Load(string file)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Engram.Server.Viewer." + file)
            ?? throw new InvalidOperationException($"the viewer file {file} is not embedded in {Assembly.GetExecutingAssembly().GetName().Name}");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
