using Engram.Agents.Pipeline;
using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Engram.Server;

/// <summary>
/// What agents are given: per session, the memories that were injected and why
/// (<c>GET /api/v1/sessions/{id}/injections</c>), and the context the next session in a project would get for
/// a token budget (<c>GET /api/v1/context/preview</c>, which records nothing). Both confined to the caller's tenant.
/// </summary>
internal static class ContextEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("context");
        api.MapGet("/sessions/{id}/injections", InjectionsAsync)
            .WithName("SessionInjections").WithSummary("The memories injected into a session: per context given, in rank order, with reason and token cost")
            .Produces<InjectionListResponse>().ProducesProblem(401);
        api.MapGet("/context/preview", PreviewAsync)
            .WithName("PreviewContext").WithSummary("The context a new session in a project would be given within max_tokens; records nothing")
            .Produces<ContextPreviewResponse>().ProducesProblem(400).ProducesProblem(401);
    }

    private static async Task<IResult> InjectionsAsync(HttpContext context, string id, IInjectionLog injections, IMemoryService memory)
    {
        var tenant = ApiKeyAuthentication.Caller(context).Tenant;
        var records = await injections.InjectionsForSessionAsync(tenant, id, context.RequestAborted);
        var items = new List<InjectionItem>(records.Count);
        foreach (var r in records)
        {
            var m = await memory.GetAsync(r.MemoryId, tenant, context.RequestAborted);
            items.Add(new InjectionItem
            {
                ContextId = r.ContextId,
                Source = r.Source,
                InjectedAt = r.InjectedAt,
                Project = RestMapping.Blank(r.Project),
                MemoryId = r.MemoryId,
                Rank = r.Rank,
                Reason = r.Reason,
                Detail = RestMapping.Blank(r.Detail),
                Tokens = r.Tokens,
                Current = m is { ValidTo: null },
                Kind = m?.Kind.ToWire(),
                Title = m?.Title,
                Memory = m?.Content,
                FetchedAt = r.FetchedAt,
                FetchedVia = r.FetchedVia,
                ActedAt = r.ActedAt,
                ActedOn = r.ActedOn,
            });
        }
        return TypedResults.Json(new InjectionListResponse { SessionId = id, TotalTokens = items.Sum(i => i.Tokens), Results = items },
            ServerJsonContext.Default.InjectionListResponse);
    }

    private static async Task<IResult> PreviewAsync(HttpContext context, IMemoryService memory, IInjectionLog injections)
    {
        var query = context.Request.Query;
        var project = RestMapping.Blank(query["project"]) ?? throw new EngramException("give ?project=KEY (such as github.com/org/repo) to preview its next session's context");
        // The builder's hard cap is 9,500 characters (Claude Code cuts hook output past 10,000): about 2,375 tokens.
        var maxTokens = MemoryEndpoints.Int(query, "max_tokens", 1500, 50, 2375);
        var built = await new SessionContextBuilder(memory, injections).BuildAsync(new ContextRequest
        {
            Tenant = ApiKeyAuthentication.Caller(context).Tenant,
            ProjectKey = project,
            ProjectName = project,
            MaxTokens = maxTokens,
        }, context.RequestAborted);
        return TypedResults.Json(new ContextPreviewResponse
        {
            Project = project,
            MaxTokens = maxTokens,
            Context = built.Text,
            Characters = built.Text.Length,
            EstimatedTokens = built.EstimatedTokens,
            Memories = [.. built.Memories.Select(m => new PreviewItem(m.MemoryId, m.Rank, m.Reason, m.Detail, m.Tokens))],
        }, ServerJsonContext.Default.ContextPreviewResponse);
    }
}
