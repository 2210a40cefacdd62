using Engram.Core.Model;
using Engram.Core.Serialization;
using Engram.Core.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Engram.Server;

/// <summary>
/// Corrections beside Mem0's verbs: supersede a memory with a new text, and restore a deleted or superseded one
/// from its history. JSON bodies, the caller's tenant, the same guards as every other write.
/// </summary>
internal static class CorrectionEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("memories");
        api.MapPost("/memories/{id}/supersede", SupersedeAsync)
            .WithName("SupersedeMemory").WithSummary("Replace a memory with a new one in the same scope; the old one stays in history as superseded")
            .Accepts<SupersedeBody>("application/json").Produces<MemoryItem>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(401);
        api.MapPost("/memories/{id}/restore", RestoreAsync)
            .WithName("RestoreMemory").WithSummary("Bring back a deleted or superseded memory from its history")
            .Accepts<RestoreBody>("application/json").Produces<MemoryItem>().ProducesProblem(400).ProducesProblem(404).ProducesProblem(401);
    }

    private static async Task<IResult> SupersedeAsync(string id, HttpContext context, IMemoryService memory)
    {
        var (body, problem) = await JsonBody.ReadAsync(context.Request, ServerJsonContext.Default.SupersedeBody);
        if (problem is not null) return problem;
        if (string.IsNullOrWhiteSpace(body!.Text)) return Problems.BadRequest("text is missing or empty: send the text of the memory that replaces this one");
        var added = await memory.SupersedeAsync(id, body.Text, ApiKeyAuthentication.Caller(context).Tenant, "api", body.Reason, context.RequestAborted);
        return TypedResults.Json(RestMapping.Item(added), ServerJsonContext.Default.MemoryItem);
    }

    private static async Task<IResult> RestoreAsync(string id, HttpContext context, IMemoryService memory)
    {
        var (body, problem) = await JsonBody.ReadAsync(context.Request, ServerJsonContext.Default.RestoreBody, optional: true);
        if (problem is not null) return problem;
        var kind = MemoryKind.Fact;
        if (body?.Kind is { } name && !MemoryKinds.TryParse(name, out kind))
        {
            return Problems.BadRequest($"kind '{name}' is not one of {string.Join(", ", MemoryKinds.All.Select(k => k.ToWire()))}");
        }
        var restored = await memory.RestoreAsync(id, ApiKeyAuthentication.Caller(context).Tenant, "api", body?.Reason, kind, context.RequestAborted);
        return TypedResults.Json(RestMapping.Item(restored), ServerJsonContext.Default.MemoryItem);
    }
}
