using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace Engram.McpFront;

/// <summary>
/// Stands between the agent and the managed <c>engram mcp</c> on stdio (one JSON-RPC message per line).
/// Requests that only describe the server (<c>initialize</c>, <c>server/discover</c>, the first page of
/// <c>tools/list</c>, <c>resources/list</c> and <c>resources/templates/list</c>) are answered from <see cref="AnswerCache"/> when it holds them, and still sent on to
/// the server under an id of ours: its answer refreshes the cache (and answers the agent when the cache
/// had nothing). Everything else passes through unchanged, in order. Only a request the cache cannot answer
/// starts the server; notifications and our refreshes wait for it (<see cref="ServerLink"/>). Until it runs, a read-only
/// tool call goes to the running worker first (<see cref="WorkerCalls"/>). A change subscription
/// (<c>subscriptions/listen</c>) is acknowledged here and never sent on (see <see cref="Acknowledgement"/>).
/// </summary>
internal sealed class Relay(ServerLink server, Stream client, AnswerCache cache, WorkerCalls worker)
{
    private const string IdPrefix = "engram-mcp-";
    private const string MetaVersion = "io.modelcontextprotocol/protocolVersion";
    private static readonly byte[] NewLine = "\n"u8.ToArray();

    private readonly object _clientGate = new();
    private readonly ConcurrentDictionary<string, (string Request, string? ClientId)> _pending = new(StringComparer.Ordinal);
    private int _nextId;
    private string _sessionVersion = "";

    /// <summary>One message from the agent.</summary>
    public void FromClient(string line)
    {
        var request = TryRead(line);
        if (request is { Method: "ping", Id: { } pingId })
        {
            // A liveness check is this process's to answer: it must not start .NET.
            ToClient($"{{\"jsonrpc\":\"2.0\",\"id\":{pingId},\"result\":{{}}}}");
            return;
        }
        if (request is { Method: "subscriptions/listen", Id: { } listenId } && ServerSpeaks(request.Version))
        {
            ToClient(Acknowledgement(listenId, request.Parameters));
            return;
        }
        if (request is { Method: "tools/call", Id: not null } && !server.Started
            && WorkerCalls.IsReadOnly(request.Parameters, cache.Get($"tools/list@{request.Version ?? _sessionVersion}")))
        {
            worker.Send(line, _sessionVersion, ToClient, () => server.Send(line, needed: true));
            return;
        }
        if (request is not { Id: { } id } || CacheKey(request) is not { } key)
        {
            // A notification can wait for the server; a request (or a line we cannot read) needs its answer.
            server.Send(line, needed: request is null || request.Id is not null);
            return;
        }
        var known = cache.Get(key);
        if (known is not null) ToClient($"{{\"jsonrpc\":\"2.0\",\"id\":{id},\"result\":{known}}}");
        var ours = $"\"{IdPrefix}{Interlocked.Increment(ref _nextId)}\"";
        _pending[ours] = (key, known is null ? id : null);
        var parameters = request.Parameters is { } p ? $",\"params\":{p}" : "";
        server.Send($"{{\"jsonrpc\":\"2.0\",\"id\":{ours},\"method\":\"{request.Method}\"{parameters}}}", needed: known is null);
    }

    /// <summary>One message from the managed server.</summary>
    public void FromServer(string line)
    {
        // Only answers to our own ids need a look; everything else is passed on without parsing.
        if (!line.Contains($"\"{IdPrefix}", StringComparison.Ordinal) || TryReadResponse(line) is not { } response
            || !_pending.TryRemove(response.Id, out var pending))
        {
            ToClient(line);
            return;
        }
        if (response.Result is not null) cache.Record(pending.Request, response.Result);
        if (pending.ClientId is not { } clientId) return;
        ToClient(response.Result is not null
            ? $"{{\"jsonrpc\":\"2.0\",\"id\":{clientId},\"result\":{response.Result}}}"
            : $"{{\"jsonrpc\":\"2.0\",\"id\":{clientId},\"error\":{response.Error ?? "{\"code\":-32603,\"message\":\"no result\"}"}}}");
    }

    /// <summary>Whether the managed server answered <c>server/discover</c> in this (stateless) protocol version.</summary>
    private bool ServerSpeaks(string? version) => version is not null && cache.Get($"server/discover@{version}") is not null;

    /// <summary>
    /// The acknowledgement of a change subscription (protocol 2026-07-28), which Claude Code waits for before its first
    /// model request. Engram's tools and resource lists are fixed by its build, so the managed server would agree to the
    /// two list-change kinds asked for and never send one: this process gives the same answer without starting .NET,
    /// and the subscription stays open, silent, until the session ends.
    /// </summary>
    private static string Acknowledgement(string id, string? parameters)
    {
        var agreed = new List<string>(2);
        using var document = JsonDocument.Parse(parameters ?? "{}");
        if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("notifications", out var asked)
            && asked.ValueKind == JsonValueKind.Object)
        {
            foreach (var kind in (string[])["toolsListChanged", "resourcesListChanged"])
            {
                if (asked.TryGetProperty(kind, out var value) && value.ValueKind == JsonValueKind.True) agreed.Add($"\"{kind}\":true");
            }
        }
        return $"{{\"method\":\"notifications/subscriptions/acknowledged\",\"params\":{{\"notifications\":{{{string.Join(',', agreed)}}},"
            + $"\"_meta\":{{\"io.modelcontextprotocol/subscriptionId\":{id}}}}},\"jsonrpc\":\"2.0\"}}";
    }

    /// <summary>"method@protocol version" for a request whose answer describes the server only, else null.</summary>
    private string? CacheKey(Request request)
    {
        switch (request.Method)
        {
            case "initialize":
                _sessionVersion = request.Version ?? "";
                return $"initialize@{_sessionVersion}";
            case "server/discover":
                return $"server/discover@{request.Version}";
            // Engram's tools and resource templates are fixed by its build; its resource list is empty (memories are
            // read through the template). Claude Code asks for the lists before its first model request.
            case "tools/list" or "resources/list" or "resources/templates/list" when !request.HasCursor:
                return $"{request.Method}@{request.Version ?? _sessionVersion}";
            default:
                return null;
        }
    }

    private void ToClient(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        lock (_clientGate)
        {
            client.Write(bytes);
            client.Write(NewLine);
            client.Flush();
        }
    }

    /// <summary>A request or notification: method, raw id (null for a notification), raw params, and the protocol version it names.</summary>
    private sealed record Request(string Method, string? Id, string? Parameters, string? Version, bool HasCursor);

    private sealed record Response(string Id, string? Result, string? Error);

    private static Request? TryRead(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String) return null;
            var id = root.TryGetProperty("id", out var i) ? i.GetRawText() : null;
            if (!root.TryGetProperty("params", out var parameters)) return new Request(method.GetString()!, id, null, null, false);
            string? version = null;
            var hasCursor = false;
            if (parameters.ValueKind == JsonValueKind.Object)
            {
                // Sessions name their version in initialize; the stateless protocol in every request's _meta.
                if (parameters.TryGetProperty("protocolVersion", out var v) && v.ValueKind == JsonValueKind.String) version = v.GetString();
                else if (parameters.TryGetProperty("_meta", out var meta) && meta.ValueKind == JsonValueKind.Object
                    && meta.TryGetProperty(MetaVersion, out var m) && m.ValueKind == JsonValueKind.String) version = m.GetString();
                hasCursor = parameters.TryGetProperty("cursor", out var cursor) && cursor.ValueKind != JsonValueKind.Null;
            }
            return new Request(method.GetString()!, id, parameters.GetRawText(), version, hasCursor);
        }
        catch (JsonException)
        {
            return null; // the server answers it with its parse error
        }
    }

    private static Response? TryReadResponse(string line)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.TryGetProperty("method", out _) || !root.TryGetProperty("id", out var id)) return null;
            return new Response(
                id.GetRawText(),
                root.TryGetProperty("result", out var result) ? result.GetRawText() : null,
                root.TryGetProperty("error", out var error) ? error.GetRawText() : null);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
