using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Serialization;
using Engram.Core.Services;

namespace Engram.Client;

/// <summary>
/// <see cref="IMemoryService"/> over a running <c>engram serve</c>: the same calls, answered by the
/// server's REST API. The tenant is the API key's (the <c>tenant</c> arguments are not sent: a key
/// cannot reach another tenant). Erasing the whole store is refused; reset a scope instead.
/// </summary>
public sealed class HttpMemoryService : IMemoryService, IDisposable, IAsyncDisposable
{
    private const int PageSize = 1000;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <param name="http">A client whose BaseAddress is the server, such as http://127.0.0.1:37777/.</param>
    /// <param name="apiKey">The API key, when the server has keys.</param>
    public HttpMemoryService(HttpClient http, string? apiKey = null, bool ownsHttp = false)
    {
        ArgumentNullException.ThrowIfNull(http.BaseAddress, nameof(http) + ".BaseAddress");
        _http = http;
        _ownsHttp = ownsHttp;
        if (!string.IsNullOrWhiteSpace(apiKey)) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey.Trim());
    }

    /// <summary>A service for the server at <paramref name="server"/>, with its own HttpClient.</summary>
    public static HttpMemoryService Create(Uri server, string? apiKey = null) =>
        new(new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(100) }, apiKey, ownsHttp: true);

    public async Task<AddResult> AddAsync(AddMemoryRequest request, CancellationToken cancellationToken = default)
    {
        if (request.Consolidates is not null) throw new EngramException("consolidating observations is the worker's job and is not available through a server");
        var body = new JsonObject
        {
            ["user_id"] = Blank(request.Scope.UserId),
            ["agent_id"] = Blank(request.Scope.AgentId),
            ["session_id"] = Blank(request.Scope.SessionId),
            ["project"] = Blank(request.Scope.Project),
            ["kind"] = request.Kind.ToWire(),
            ["title"] = request.Title,
            ["type"] = request.Type,
            ["importance"] = request.Importance,
            ["infer"] = request.Infer,
            ["metadata"] = Object(request.Metadata),
            ["expires_at"] = request.ExpiresAt is { } expires ? Time(expires) : null,
        };
        if (request.FileStates.Count > 0) body["files"] = new JsonArray([.. request.FileStates.Select(f => (JsonNode?)f.Path)]);
        if (request.Messages.Count > 0)
        {
            body["messages"] = new JsonArray([.. request.Messages.Select(m => (JsonNode)new JsonObject
            {
                ["role"] = m.Role.Value,
                ["content"] = m.Text,
                ["name"] = m.AuthorName,
            })]);
        }
        else
        {
            body["text"] = request.Content;
        }
        using var json = await SendAsync(HttpMethod.Post, "api/v1/memories", body, cancellationToken);
        return new AddResult([.. json!.RootElement.GetProperty("results").EnumerateArray().Select(Item).Select(item =>
            new AddedMemory(item.ToMemory(), AddedMemory.OutcomeOf(item.Event)))]);
    }

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        var filter = request.Filter;
        var filters = new JsonObject();
        if (filter.Kinds.Count > 0) filters["kinds"] = new JsonArray([.. filter.Kinds.Select(k => (JsonNode)k.ToWire())]);
        if (filter.Since is { } since) filters["since"] = Time(since);
        if (filter.Until is { } until) filters["until"] = Time(until);
        if (filter.Metadata.Count > 0) filters["metadata"] = Object(filter.Metadata);
        if (filter.IncludeSuperseded) throw new EngramException("searching superseded memories is not available through a server");
        var body = new JsonObject
        {
            ["query"] = request.Query,
            ["user_id"] = filter.UserId,
            ["agent_id"] = filter.AgentId,
            ["session_id"] = filter.SessionId,
            ["project"] = filter.Project,
            ["filters"] = filters,
            ["limit"] = request.Limit,
        };
        using var json = await SendAsync(HttpMethod.Post, "api/v1/search", body, cancellationToken);
        return [.. json!.RootElement.GetProperty("results").EnumerateArray().Select(item =>
            new SearchHit(ToMemory(item), item.GetProperty("score").GetDouble(),
                // Servers before the explanation field was added send none.
                item.TryGetProperty("explanation", out var why) && why.ValueKind == JsonValueKind.String ? why.GetString()! : "scored by the server"))];
    }

    public async Task<Memory?> GetAsync(string id, string tenant = MemoryScope.DefaultTenant, CancellationToken cancellationToken = default)
    {
        using var json = await SendAsync(HttpMethod.Get, $"api/v1/memories/{Uri.EscapeDataString(id.Trim())}", null, cancellationToken, notFoundIsNull: true);
        return json is null ? null : ToMemory(json.RootElement);
    }

    public async IAsyncEnumerable<Memory> ListAsync(MemoryFilter filter, int? limit = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (limit is < 1) throw new EngramException($"list limit {limit} must be at least 1");
        var query = new StringBuilder();
        void Add(string name, string? value)
        {
            if (string.IsNullOrEmpty(value)) return;
            query.Append(query.Length == 0 ? '?' : '&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }
        Add("user_id", filter.UserId);
        Add("agent_id", filter.AgentId);
        Add("session_id", filter.SessionId);
        Add("project", filter.Project);
        foreach (var kind in filter.Kinds) Add("kind", kind.ToWire());
        if (filter.Since is { } since) Add("since", Time(since));
        if (filter.Until is { } until) Add("until", Time(until));
        foreach (var (key, value) in filter.Metadata) Add("meta", $"{key}={value}");
        if (filter.IncludeSuperseded) Add("all", "true");
        var pageSize = Math.Min(limit ?? PageSize, PageSize);
        Add("page_size", pageSize.ToString(CultureInfo.InvariantCulture));

        var returned = 0;
        for (var page = 1; ; page++)
        {
            using var json = await SendAsync(HttpMethod.Get, $"api/v1/memories{query}&page={page}", null, cancellationToken);
            foreach (var item in json!.RootElement.GetProperty("results").EnumerateArray())
            {
                yield return ToMemory(item);
                if (++returned == limit) yield break;
            }
            if (json.RootElement.TryGetProperty("next_page", out var next) && next.ValueKind == JsonValueKind.Number) continue;
            yield break;
        }
    }

    public async Task<IReadOnlyList<SessionDigest>> ListSessionsAsync(MemoryFilter filter, int count, bool oldestFirst = false, CancellationToken cancellationToken = default)
    {
        if (count < 1) throw new EngramException($"session count {count} must be at least 1");
        if (filter.Kinds.Count > 0 || filter.Metadata.Count > 0 || filter.SessionId is { Length: > 0 } || filter.IncludeSuperseded)
        {
            throw new EngramException("through a server, sessions are listed by user, agent, project and time only");
        }
        var query = new StringBuilder("api/v1/sessions?limit=").Append(count.ToString(CultureInfo.InvariantCulture));
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value)) query.Append('&').Append(name).Append('=').Append(Uri.EscapeDataString(value));
        }
        Add("user_id", filter.UserId);
        Add("agent_id", filter.AgentId);
        Add("project", filter.Project);
        if (filter.Since is { } since) Add("since", Time(since));
        if (filter.Until is { } until) Add("until", Time(until));
        if (oldestFirst) Add("order", "asc");
        using var json = await SendAsync(HttpMethod.Get, query.ToString(), null, cancellationToken);
        return [.. json!.RootElement.GetProperty("results").EnumerateArray().Select(item => new SessionDigest
        {
            SessionId = item.GetProperty("session_id").GetString()!,
            Project = String(item, "project") ?? "",
            StartedAt = item.GetProperty("started_at").GetDateTimeOffset(),
            UpdatedAt = item.GetProperty("updated_at").GetDateTimeOffset(),
            Memories = item.GetProperty("memories").GetInt32(),
            Headline = ToMemory(item.GetProperty("headline")),
        })];
    }

    public async Task<Memory> UpdateAsync(string id, MemoryUpdate update, string tenant = MemoryScope.DefaultTenant, CancellationToken cancellationToken = default)
    {
        if (update.Type is not null) throw new EngramException("changing a memory's type is not available through a server");
        var body = new JsonObject
        {
            ["text"] = update.Content,
            ["title"] = update.Title,
            ["importance"] = update.Importance,
            ["expires_at"] = update.ClearExpiry ? "never" : update.ExpiresAt is { } expires ? Time(expires) : null,
            ["reason"] = update.Reason,
        };
        if (update.Metadata is not null) body["metadata"] = Object(update.Metadata);
        using var json = await SendAsync(HttpMethod.Put, $"api/v1/memories/{Uri.EscapeDataString(id.Trim())}", body, cancellationToken, notFoundIsNull: true);
        return json is null ? throw new MemoryNotFoundException(id) : ToMemory(json.RootElement);
    }

    public async Task<bool> DeleteAsync(string id, string tenant = MemoryScope.DefaultTenant, string actor = "user", string? reason = null, CancellationToken cancellationToken = default)
    {
        var path = $"api/v1/memories/{Uri.EscapeDataString(id.Trim())}" + (reason is null ? "" : "?reason=" + Uri.EscapeDataString(reason));
        using var json = await SendAsync(HttpMethod.Delete, path, null, cancellationToken, notFoundIsNull: true);
        return json is not null;
    }

    public async Task<int> DeleteAllAsync(MemoryFilter filter, string actor = "user", string? reason = null, CancellationToken cancellationToken = default)
    {
        if (filter.Kinds.Count > 0 || filter.Since is not null || filter.Until is not null || filter.Metadata.Count > 0)
        {
            throw new EngramException("through a server, reset takes only scope fields (user, agent, session, project)");
        }
        var body = new JsonObject
        {
            ["user_id"] = filter.UserId,
            ["agent_id"] = filter.AgentId,
            ["session_id"] = filter.SessionId,
            ["project"] = filter.Project,
        };
        using var json = await SendAsync(HttpMethod.Post, "api/v1/reset", body, cancellationToken);
        return json!.RootElement.GetProperty("deleted").GetInt32();
    }

    public async Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string id, string tenant = MemoryScope.DefaultTenant, CancellationToken cancellationToken = default)
    {
        using var json = await SendAsync(HttpMethod.Get, $"api/v1/memories/{Uri.EscapeDataString(id.Trim())}/history", null, cancellationToken, notFoundIsNull: true);
        if (json is null) return [];
        var history = json.RootElement.Deserialize(EngramJsonContext.Default.HistoryResponse)
            ?? throw new EngramException("the Engram server answered null where a history was expected");
        return [.. history.Results.Select(h => h.ToEntry())];
    }

    public async Task<Memory> SupersedeAsync(string id, string content, string tenant = MemoryScope.DefaultTenant, string actor = "user", string? reason = null,
        CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["text"] = content, ["reason"] = reason };
        using var json = await SendAsync(HttpMethod.Post, $"api/v1/memories/{Uri.EscapeDataString(id.Trim())}/supersede", body, cancellationToken, notFoundIsNull: true);
        return json is null ? throw new MemoryNotFoundException(id) : ToMemory(json.RootElement);
    }

    public async Task<Memory> RestoreAsync(string id, string tenant = MemoryScope.DefaultTenant, string actor = "user", string? reason = null,
        MemoryKind kind = MemoryKind.Fact, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["reason"] = reason, ["kind"] = kind.ToWire() };
        using var json = await SendAsync(HttpMethod.Post, $"api/v1/memories/{Uri.EscapeDataString(id.Trim())}/restore", body, cancellationToken, notFoundIsNull: true);
        return json is null ? throw new MemoryNotFoundException(id) : ToMemory(json.RootElement);
    }

    public Task ResetAsync(CancellationToken cancellationToken = default) =>
        throw new EngramException("erasing the whole store is not possible through a server; reset a scope, or run engram reset on the server's machine");

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Sends a request; a problem-details answer becomes an <see cref="EngramException"/> with its detail.</summary>
    private async Task<JsonDocument?> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken, bool notFoundIsNull = false)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            foreach (var key in body.Where(p => p.Value is null).Select(p => p.Key).ToList()) body.Remove(key);
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new EngramException($"cannot reach the Engram server at {_http.BaseAddress}: {ex.Message}; is engram serve running?", ex);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode == HttpStatusCode.NotFound && notFoundIsNull) return null;
            if (!response.IsSuccessStatusCode)
            {
                var detail = ProblemDetail(text) ?? response.ReasonPhrase ?? "error";
                throw new EngramException(response.StatusCode == HttpStatusCode.Unauthorized
                    ? $"the Engram server at {_http.BaseAddress} refused the call: {detail}"
                    : $"the Engram server answered {(int)response.StatusCode}: {detail}");
            }
            return JsonDocument.Parse(text);
        }
    }

    private static string? ProblemDetail(string text)
    {
        try
        {
            using var json = JsonDocument.Parse(text);
            return json.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>A memory in the one JSON shape the server answers with (<see cref="MemoryItem"/>).</summary>
    private static MemoryItem Item(JsonElement item) =>
        item.Deserialize(EngramJsonContext.Default.MemoryItem) ?? throw new EngramException("the Engram server answered null where a memory was expected");

    private static Memory ToMemory(JsonElement item) => Item(item).ToMemory();

    private static string? String(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static JsonObject Object(IReadOnlyDictionary<string, string> values)
    {
        var obj = new JsonObject();
        foreach (var (key, value) in values) obj[key] = value;
        return obj;
    }

    private static string? Blank(string value) => value.Length == 0 ? null : value;

    private static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
