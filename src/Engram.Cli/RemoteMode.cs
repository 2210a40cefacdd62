using Engram.Client;
using Engram.Hosting;

namespace Engram.Cli;

/// <summary>
/// <c>--server URL</c>: the memory commands talk to a running <c>engram serve</c> instead of the local store.
/// The API key, when the server has keys, comes from <c>ENGRAM_API_KEY</c> (never from the command line,
/// where other users could read it), and it decides the tenant.
/// </summary>
internal static class RemoteMode
{
    public const string ApiKeyVariable = "ENGRAM_API_KEY";

    /// <summary>Commands that work against a server.</summary>
    private static readonly string[] Supported = ["add", "search", "get", "list", "update", "delete", "history", "reset"];

    private static readonly AsyncLocal<Uri?> CurrentServer = new();

    /// <summary>The server of this invocation, or null for the local store (per async flow, so concurrent runs in one process stay apart).</summary>
    public static Uri? Server
    {
        get => CurrentServer.Value;
        private set => CurrentServer.Value = value;
    }

    /// <summary>Whether a command declares <c>--server</c> to mean this (install's <c>--server</c> means something else).</summary>
    public static bool Supports(string command) => Supported.Contains(command);

    /// <summary>The message for <c>--server</c> given to a command that works on the local store only.</summary>
    public static string NotSupportedBy(string command) =>
        $"--server works with {string.Join(", ", Supported)}; 'engram {command}' works on the local store only";

    /// <summary>Sets <see cref="Server"/> for this run from the command's <c>--server URL</c>, checking that the URL and the other options fit.</summary>
    public static void Select(CommandLine line)
    {
        Server = null;
        if (!Supports(line.Command.Name) || line.Value("server") is not { } url) return;
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"--server '{url}' is not an http(s) URL; use one like http://127.0.0.1:37777");
        }
        if (line.Value("tenant") is not null)
        {
            throw new UsageException("--tenant cannot be used with --server: the server's API key decides the tenant");
        }
        Server = uri;
    }

    /// <summary>A runtime over the server's REST API.</summary>
    public static EngramRuntime Open(Uri server)
    {
        var client = HttpMemoryService.Create(server, Environment.GetEnvironmentVariable(ApiKeyVariable));
        return EngramRuntime.Remote(EngramHome.Resolve(), client, client);
    }
}
