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

    /// <summary>Takes <c>--server URL</c> out of a command's arguments (before any <c>--</c>) and checks it fits the command.</summary>
    public static IReadOnlyList<string> Extract(string command, IReadOnlyList<string> args)
    {
        Server = null;
        var rest = new List<string>(args.Count);
        string? url = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg == "--")
            {
                rest.AddRange(args.Skip(i));
                break;
            }
            if (arg == "--server")
            {
                url = i + 1 < args.Count ? args[++i] : throw new UsageException("option --server needs a value, such as http://127.0.0.1:37777");
            }
            else if (arg.StartsWith("--server=", StringComparison.Ordinal))
            {
                url = arg["--server=".Length..];
            }
            else
            {
                rest.Add(arg);
            }
        }
        if (url is null) return rest;

        if (!Supported.Contains(command))
        {
            throw new UsageException($"--server works with {string.Join(", ", Supported)}; 'engram {command}' works on the local store only");
        }
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new UsageException($"--server '{url}' is not an http(s) URL; use one like http://127.0.0.1:37777");
        }
        if (rest.Any(a => a == "--tenant" || a.StartsWith("--tenant=", StringComparison.Ordinal)))
        {
            throw new UsageException("--tenant cannot be used with --server: the server's API key decides the tenant");
        }
        Server = uri;
        return rest;
    }

    /// <summary>A runtime over the server's REST API.</summary>
    public static EngramRuntime Open(Uri server)
    {
        var client = HttpMemoryService.Create(server, Environment.GetEnvironmentVariable(ApiKeyVariable));
        return EngramRuntime.Remote(EngramHome.Resolve(), client, client);
    }
}
