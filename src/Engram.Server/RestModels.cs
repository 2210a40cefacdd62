using System.Text.Json;
using System.Text.Json.Serialization;
using Engram.Core.Serialization;

namespace Engram.Server;

/// <summary>One conversation message of a Mem0-style add.</summary>
public sealed record MessageBody
{
    public string? Role { get; init; }
    public string? Content { get; init; }
    /// <summary>Who said it, for multi-party conversations.</summary>
    public string? Name { get; init; }
}

/// <summary>POST /api/v1/memories: <c>messages</c> (Mem0) or <c>text</c>, with scope fields.</summary>
public sealed record AddMemoryBody
{
    public List<MessageBody>? Messages { get; init; }
    public string? Text { get; init; }
    public string? UserId { get; init; }
    public string? AgentId { get; init; }
    /// <summary>Mem0's name for the session.</summary>
    public string? RunId { get; init; }
    public string? SessionId { get; init; }
    public string? Project { get; init; }
    /// <summary>Values of any JSON type; non-strings are kept as their JSON text.</summary>
    public Dictionary<string, JsonElement>? Metadata { get; init; }
    /// <summary>LLM extraction and reconciliation; false (verbatim) unless asked for.</summary>
    public bool? Infer { get; init; }
    public string? Kind { get; init; }
    public string? Title { get; init; }
    public string? Type { get; init; }
    public double? Importance { get; init; }
    /// <summary>When the memory expires (an ISO date or time). Mem0's name <c>expiration_date</c> is read too.</summary>
    public string? ExpiresAt { get; init; }
    public string? ExpirationDate { get; init; }
    /// <summary>Files the memory is about (absolute paths): their content hash is recorded now, for staleness.</summary>
    public List<string>? Files { get; init; }
}

/// <summary>PUT /api/v1/memories/{id}. <c>text</c> (Mem0) or <c>memory</c> replaces the content.</summary>
public sealed record UpdateMemoryBody
{
    public string? Text { get; init; }
    public string? Memory { get; init; }
    public string? Title { get; init; }
    public Dictionary<string, JsonElement>? Metadata { get; init; }
    public double? Importance { get; init; }
    /// <summary>A new expiry (ISO date or time), or "never" to remove it. Mem0's <c>expiration_date</c> is read too.</summary>
    public string? ExpiresAt { get; init; }
    public string? ExpirationDate { get; init; }
    public string? Reason { get; init; }
}

/// <summary>POST /api/v1/search.</summary>
public sealed record SearchBody
{
    public string? Query { get; init; }
    public string? UserId { get; init; }
    public string? AgentId { get; init; }
    public string? RunId { get; init; }
    public string? SessionId { get; init; }
    public string? Project { get; init; }
    /// <summary>
    /// Extra conditions: <c>kind</c>/<c>kinds</c>, <c>since</c>, <c>until</c>, scope fields, <c>metadata</c> (an object),
    /// and any other key with a string value, which must equal that metadata entry (Mem0's style).
    /// </summary>
    public Dictionary<string, JsonElement>? Filters { get; init; }
    public int? Limit { get; init; }
}

/// <summary>POST /api/v1/reset: deletes the memories of a scope of the caller's tenant (all of them when no field is set).</summary>
public sealed record ResetBody
{
    public string? UserId { get; init; }
    public string? AgentId { get; init; }
    public string? RunId { get; init; }
    public string? SessionId { get; init; }
    public string? Project { get; init; }
}

public sealed record SessionItem
{
    public required string SessionId { get; init; }
    public required string Url { get; init; }
    public string? Project { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public required int Memories { get; init; }
    /// <summary>The session's summary, else its first prompt, else its first memory.</summary>
    public required MemoryItem Headline { get; init; }
}

public sealed record SessionListResponse(List<SessionItem> Results);

public sealed record MessageResponse
{
    public required string Message { get; init; }
    public string? Id { get; init; }
    public int? Deleted { get; init; }
}

public sealed record HealthResponse(string Status, string Version, bool ApiKeysRequired);

/// <summary>
/// Data of a memory stream event: the change (texts before and after, who, why) and, unless the memory
/// is gone by the time the event is sent, the memory as it is now.
/// </summary>
public sealed record ChangeEventData
{
    public required string Id { get; init; }
    public string? OldMemory { get; init; }
    public string? NewMemory { get; init; }
    public required string Actor { get; init; }
    public string? Reason { get; init; }
    public required DateTimeOffset At { get; init; }
    public MemoryItem? Memory { get; init; }
}

/// <summary>Data of a queue stream event: events waiting for processing, and those that failed for good.</summary>
public sealed record QueueEventData(long Pending, long Failed);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(AddMemoryBody))]
[JsonSerializable(typeof(UpdateMemoryBody))]
[JsonSerializable(typeof(SearchBody))]
[JsonSerializable(typeof(ResetBody))]
[JsonSerializable(typeof(MemoryItem))]
[JsonSerializable(typeof(MemoryListResponse))]
[JsonSerializable(typeof(HistoryResponse))]
[JsonSerializable(typeof(SessionListResponse))]
[JsonSerializable(typeof(MessageResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ChangeEventData))]
[JsonSerializable(typeof(QueueEventData))]
[JsonSerializable(typeof(InjectionListResponse))]
[JsonSerializable(typeof(ContextPreviewResponse))]
[JsonSerializable(typeof(ContextTextResponse))]
[JsonSerializable(typeof(SupersedeBody))]
[JsonSerializable(typeof(RestoreBody))]
internal sealed partial class ServerJsonContext : JsonSerializerContext;
