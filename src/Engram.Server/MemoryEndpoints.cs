using System.Globalization;
using System.Text.Json;
using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Serialization;
using Engram.Core.Security;
using Engram.Core.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.AI;

namespace Engram.Server;

/// <summary>The Mem0-shaped REST API under /api/v1. Every call is confined to the caller's tenant.</summary>
internal static class MemoryEndpoints
{
    private const int MaxPageSize = 1000;

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("memories");

        api.MapPost("/memories", AddAsync)
            .WithName("AddMemories").WithSummary("Store memories: one text, or Mem0-style messages (one memory per message)")
            .Accepts<AddMemoryBody>("application/json").Produces<MemoryListResponse>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(413);
        api.MapGet("/memories", ListAsync)
            .WithName("ListMemories").WithSummary("List memories, newest first, filtered by scope, kind and time, page by page")
            .Produces<MemoryListResponse>().ProducesProblem(400).ProducesProblem(401);
        api.MapGet("/memories/{id}", GetAsync)
            .WithName("GetMemory").WithSummary("One memory").Produces<MemoryItem>().ProducesProblem(404).ProducesProblem(401);
        api.MapPut("/memories/{id}", UpdateAsync)
            .WithName("UpdateMemory").WithSummary("Change a memory in place; the old text stays in its history")
            .Accepts<UpdateMemoryBody>("application/json").Produces<MemoryItem>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(401);
        api.MapDelete("/memories/{id}", DeleteAsync)
            .WithName("DeleteMemory").WithSummary("Delete a memory; its history stays").Produces<MessageResponse>().ProducesProblem(404).ProducesProblem(401);
        api.MapGet("/memories/{id}/history", HistoryAsync)
            .WithName("MemoryHistory").WithSummary("Every change to a memory, oldest first").Produces<HistoryResponse>().ProducesProblem(404).ProducesProblem(401);
        api.MapPost("/search", SearchAsync)
            .WithName("SearchMemories").WithSummary("Ranked hybrid search")
            .Accepts<SearchBody>("application/json").Produces<MemoryListResponse>().ProducesProblem(400).ProducesProblem(401);
        api.MapPost("/reset", ResetAsync)
            .WithName("Reset").WithSummary("Delete every memory of a scope of the caller's tenant (the whole tenant when no scope field is given)")
            .Accepts<ResetBody>("application/json").Produces<MessageResponse>().ProducesProblem(400).ProducesProblem(401);
        api.MapGet("/sessions", SessionsAsync).WithTags("sessions")
            .WithName("ListSessions").WithSummary("Past sessions, most recently active first (order=asc: earliest started first)")
            .Produces<SessionListResponse>().ProducesProblem(400).ProducesProblem(401);
    }

    private static async Task<IResult> AddAsync(HttpContext context, IMemoryService memory)
    {
        var (body, problem) = await JsonBody.ReadAsync(context.Request, ServerJsonContext.Default.AddMemoryBody);
        if (problem is not null) return problem;
        var caller = ApiKeyAuthentication.Caller(context);

        var messages = new List<ChatMessage>();
        foreach (var (message, i) in (body!.Messages ?? []).Select((m, i) => (m, i)))
        {
            if (string.IsNullOrWhiteSpace(message.Role)) return Problems.BadRequest($"messages[{i}].role is missing; use user, assistant or system");
            if (string.IsNullOrWhiteSpace(message.Content)) return Problems.BadRequest($"messages[{i}].content is empty");
            messages.Add(new ChatMessage(new ChatRole(message.Role.Trim().ToLowerInvariant()), message.Content) { AuthorName = RestMapping.Blank(message.Name) });
        }
        if (messages.Count == 0 && string.IsNullOrWhiteSpace(body.Text)) return Problems.BadRequest("send either text or a non-empty messages array");
        if (messages.Count > 0 && body.Text is not null) return Problems.BadRequest("send either text or messages, not both");
        var kind = MemoryKind.Fact;
        if (body.Kind is not null && !MemoryKinds.TryParse(body.Kind, out kind))
        {
            return Problems.BadRequest($"kind '{body.Kind}' is not one of {string.Join(", ", MemoryKinds.All.Select(k => k.ToWire()))}");
        }

        var request = new AddMemoryRequest
        {
            Content = body.Text,
            Messages = messages,
            Scope = new MemoryScope
            {
                Tenant = caller.Tenant,
                UserId = body.UserId ?? "",
                AgentId = body.AgentId ?? "",
                Project = body.Project ?? "",
                SessionId = RestMapping.Session(body.SessionId, body.RunId) ?? "",
            },
            Kind = kind,
            Title = body.Title,
            Type = body.Type,
            Metadata = RestMapping.Metadata(body.Metadata),
            Importance = body.Importance,
            Infer = body.Infer ?? false,
            ExpiresAt = RestMapping.Expiry(body.ExpiresAt, body.ExpirationDate, out _),
            FileStates = [.. (body.Files ?? []).Select(RestMapping.FileState)],
            Actor = "api",
        };
        var result = await memory.AddAsync(request, context.RequestAborted);
        return TypedResults.Json(new MemoryListResponse
        {
            Results = [.. result.Results.Select(r => RestMapping.Item(r.Memory, eventName: r.EventName))],
        }, ServerJsonContext.Default.MemoryListResponse);
    }

    private static async Task<IResult> ListAsync(HttpContext context, IMemoryService memory)
    {
        var query = context.Request.Query;
        var caller = ApiKeyAuthentication.Caller(context);
        var page = Int(query, "page", 1, 1, 100_000);
        var pageSize = Int(query, "page_size", Int(query, "limit", 100, 1, MaxPageSize), 1, MaxPageSize);
        var kinds = new List<MemoryKind>();
        foreach (var k in query["kind"].Concat(query["kinds"]).SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            kinds.Add(MemoryKinds.TryParse(k, out var kind) ? kind : throw new EngramException($"kind '{k}' is not one of {string.Join(", ", MemoryKinds.All.Select(x => x.ToWire()))}"));
        }
        var filter = new MemoryFilter
        {
            Tenant = caller.Tenant,
            UserId = RestMapping.Blank(query["user_id"]),
            AgentId = RestMapping.Blank(query["agent_id"]),
            SessionId = RestMapping.Session(query["session_id"], query["run_id"]),
            Project = RestMapping.Blank(query["project"]),
            Kinds = kinds,
            Since = Date(query["since"], "since"),
            Until = Date(query["until"], "until"),
            IncludeSuperseded = string.Equals(query["all"], "true", StringComparison.OrdinalIgnoreCase),
            Metadata = MetadataQuery(query),
        };
        var skip = (page - 1) * pageSize;
        var items = new List<MemoryItem>(pageSize);
        var index = 0;
        var more = false;
        await foreach (var m in memory.ListAsync(filter, skip + pageSize + 1, context.RequestAborted))
        {
            if (index++ < skip) continue;
            if (items.Count == pageSize)
            {
                more = true;
                break;
            }
            items.Add(RestMapping.Item(m));
        }
        return TypedResults.Json(new MemoryListResponse { Results = items, Page = page, PageSize = pageSize, NextPage = more ? page + 1 : null },
            ServerJsonContext.Default.MemoryListResponse);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, IMemoryService memory)
    {
        var tenant = ApiKeyAuthentication.Caller(context).Tenant;
        var found = await memory.GetAsync(id, tenant, context.RequestAborted);
        if (found is null) return Problems.NotFound(id);
        // An agent's fetch counts as a use of the memory; a person looking in the viewer asks with fetch=false.
        if (context.Request.Query["fetch"] != "false") await memory.NoteFetchedAsync([found.Id], tenant, "rest", context.RequestAborted);
        return TypedResults.Json(RestMapping.Item(found), ServerJsonContext.Default.MemoryItem);
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext context, IMemoryService memory)
    {
        var (body, problem) = await JsonBody.ReadAsync(context.Request, ServerJsonContext.Default.UpdateMemoryBody);
        if (problem is not null) return problem;
        var tenant = ApiKeyAuthentication.Caller(context).Tenant;
        if (await memory.GetAsync(id, tenant, context.RequestAborted) is null) return Problems.NotFound(id);
        if (body!.Text is not null && body.Memory is not null && body.Text != body.Memory) return Problems.BadRequest("send the new content as text or memory, not both");
        var content = body.Text ?? body.Memory;
        var expiresAt = RestMapping.Expiry(body.ExpiresAt, body.ExpirationDate, out var neverExpires);
        if (content is null && body.Title is null && body.Metadata is null && body.Importance is null && expiresAt is null && !neverExpires)
        {
            return Problems.BadRequest("nothing to change: send text (the new content), title, metadata, importance or expires_at");
        }
        var updated = await memory.UpdateAsync(id, new MemoryUpdate
        {
            Content = content,
            Title = body.Title,
            Metadata = body.Metadata is null ? null : RestMapping.Metadata(body.Metadata),
            Importance = body.Importance,
            ExpiresAt = expiresAt,
            ClearExpiry = neverExpires,
            Reason = body.Reason,
            Actor = "api",
        }, tenant, context.RequestAborted);
        return TypedResults.Json(RestMapping.Item(updated), ServerJsonContext.Default.MemoryItem);
    }

    private static async Task<IResult> DeleteAsync(string id, HttpContext context, IMemoryService memory)
    {
        var reason = RestMapping.Blank(context.Request.Query["reason"]);
        var deleted = await memory.DeleteAsync(id, ApiKeyAuthentication.Caller(context).Tenant, "api", reason, context.RequestAborted);
        return deleted
            ? TypedResults.Json(new MessageResponse { Message = "Memory deleted successfully", Id = id }, ServerJsonContext.Default.MessageResponse)
            : Problems.NotFound(id);
    }

    private static async Task<IResult> HistoryAsync(string id, HttpContext context, IMemoryService memory)
    {
        var history = await memory.GetHistoryAsync(id, ApiKeyAuthentication.Caller(context).Tenant, context.RequestAborted);
        return history.Count == 0
            ? Problems.NotFound(id)
            : TypedResults.Json(new HistoryResponse([.. history.Select(HistoryItem.From)]), ServerJsonContext.Default.HistoryResponse);
    }

    private static async Task<IResult> SearchAsync(HttpContext context, IMemoryService memory)
    {
        var (body, problem) = await JsonBody.ReadAsync(context.Request, ServerJsonContext.Default.SearchBody);
        if (problem is not null) return problem;
        if (string.IsNullOrWhiteSpace(body!.Query)) return Problems.BadRequest("query is missing or empty");
        var limit = body.Limit ?? 10;
        if (limit is < 1 or > 100) return Problems.BadRequest($"limit {limit} is out of range; use 1 to 100");
        var filter = SearchFilter(body, ApiKeyAuthentication.Caller(context));
        var hits = await memory.SearchAsync(new SearchRequest { Query = body.Query, Filter = filter, Limit = limit }, context.RequestAborted);
        return TypedResults.Json(new MemoryListResponse { Results = [.. hits.Select(h => RestMapping.Item(h.Memory, h.Score, explanation: h.Explanation))] },
            ServerJsonContext.Default.MemoryListResponse);
    }

    private static async Task<IResult> ResetAsync(HttpContext context, IMemoryService memory)
    {
        var (body, problem) = await JsonBody.ReadAsync(context.Request, ServerJsonContext.Default.ResetBody, optional: true);
        if (problem is not null) return problem;
        var filter = new MemoryFilter
        {
            Tenant = ApiKeyAuthentication.Caller(context).Tenant,
            UserId = RestMapping.Blank(body?.UserId),
            AgentId = RestMapping.Blank(body?.AgentId),
            SessionId = RestMapping.Session(body?.SessionId, body?.RunId),
            Project = RestMapping.Blank(body?.Project),
        };
        var count = await memory.DeleteAllAsync(filter, "api", "reset through the REST API", context.RequestAborted);
        return TypedResults.Json(new MessageResponse { Message = $"Deleted {count} memories", Deleted = count }, ServerJsonContext.Default.MessageResponse);
    }

    private static async Task<IResult> SessionsAsync(HttpContext context, IMemoryService memory)
    {
        var query = context.Request.Query;
        var caller = ApiKeyAuthentication.Caller(context);
        var limit = Int(query, "limit", 20, 1, 200);
        var order = query["order"].ToString() is { Length: > 0 } o ? o.Trim().ToLowerInvariant() : "desc";
        if (order is not ("asc" or "desc")) throw new EngramException($"order '{query["order"]}' must be asc (earliest started first) or desc (latest activity first)");
        var filter = new MemoryFilter
        {
            Tenant = caller.Tenant,
            UserId = RestMapping.Blank(query["user_id"]),
            AgentId = RestMapping.Blank(query["agent_id"]),
            Project = RestMapping.Blank(query["project"]),
            Since = Date(query["since"], "since"),
            Until = Date(query["until"], "until"),
        };
        var sessions = await memory.ListSessionsAsync(filter, limit, oldestFirst: order == "asc", context.RequestAborted);
        return TypedResults.Json(new SessionListResponse([.. sessions.Select(s => new SessionItem
        {
            SessionId = s.SessionId,
            Url = s.Url,
            Project = RestMapping.Blank(s.Project),
            StartedAt = s.StartedAt,
            UpdatedAt = s.UpdatedAt,
            Memories = s.Memories,
            Headline = RestMapping.Item(s.Headline),
        })]), ServerJsonContext.Default.SessionListResponse);
    }

    private static MemoryFilter SearchFilter(SearchBody body, EngramCaller caller)
    {
        string? userId = body.UserId, agentId = body.AgentId, project = body.Project;
        var session = RestMapping.Session(body.SessionId, body.RunId);
        var kinds = new List<MemoryKind>();
        DateTimeOffset? since = null, until = null;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in body.Filters ?? [])
        {
            switch (key)
            {
                case "user_id": userId = FilterString(key, value); break;
                case "agent_id": agentId = FilterString(key, value); break;
                case "project": project = FilterString(key, value); break;
                case "session_id" or "run_id": session = FilterString(key, value); break;
                case "since": since = Date(FilterString(key, value), "filters.since"); break;
                case "until": until = Date(FilterString(key, value), "filters.until"); break;
                case "kind" or "kinds":
                    var names = value.ValueKind == JsonValueKind.Array
                        ? value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new EngramException($"filters.{key} must hold strings"))
                        : [FilterString(key, value)];
                    foreach (var name in names)
                    {
                        kinds.Add(MemoryKinds.TryParse(name, out var kind) ? kind : throw new EngramException($"filters.{key}: '{name}' is not one of {string.Join(", ", MemoryKinds.All.Select(x => x.ToWire()))}"));
                    }
                    break;
                case "metadata":
                    if (value.ValueKind != JsonValueKind.Object) throw new EngramException("filters.metadata must be an object of key: value");
                    foreach (var property in value.EnumerateObject())
                    {
                        metadata[FilterKey(property.Name, "filters.metadata")] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                    }
                    break;
                default:
                    if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                    {
                        throw new EngramException($"filters.{key}: only equality on a metadata value is supported (a string, number or boolean)");
                    }
                    metadata[FilterKey(key, "filters")] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
                    break;
            }
        }
        return new MemoryFilter
        {
            Tenant = caller.Tenant,
            UserId = RestMapping.Blank(userId),
            AgentId = RestMapping.Blank(agentId),
            Project = RestMapping.Blank(project),
            SessionId = session,
            Kinds = kinds.Distinct().ToList(),
            Since = since,
            Until = until,
            Metadata = metadata,
        };
    }

    /// <summary>meta=key=value, repeatable: every entry must match.</summary>
    private static Dictionary<string, string> MetadataQuery(IQueryCollection query)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query["meta"])
        {
            var eq = pair?.IndexOf('=', StringComparison.Ordinal) ?? -1;
            if (eq <= 0) throw new EngramException($"query parameter meta '{pair}' must look like key=value");
            metadata[FilterKey(pair![..eq], "meta")] = pair[(eq + 1)..];
        }
        return metadata;
    }

    /// <summary>A metadata key to filter on: control characters (a NUL) could never match a stored key and would cut the JSON path short.</summary>
    private static string FilterKey(string key, string where) =>
        key.Any(char.IsControl)
            ? throw new EngramException($"{where}: metadata key '{LocalOriginGuard.Printable(key)}' contains a control character")
            : key;

    private static string FilterString(string key, JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new EngramException($"filters.{key} must be a string");

    internal static int Int(IQueryCollection query, string name, int fallback, int min, int max)
    {
        var text = query[name].ToString();
        if (text.Length == 0) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new EngramException($"query parameter {name} '{text}' must be a whole number from {min} to {max}");
    }

    internal static DateTimeOffset? Date(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? date
            : throw new EngramException($"{name} '{text}' is not a date; use an ISO date or time such as 2026-01-31 or 2026-01-31T14:00:00Z");
    }
}
