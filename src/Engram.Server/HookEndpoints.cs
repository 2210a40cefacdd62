using System.Text.Json;
using Engram.Agents.Adapters;
using Engram.Agents.Pipeline;
using Engram.Agents.Worker;
using Engram.Core.Model;
using Engram.Core.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Engram.Server;

/// <summary>
/// The agent endpoints: <c>POST /api/v1/hooks/{agent}/{event}</c> (what <c>engram hook</c> does, for agents that post
/// hook events over HTTP) and <c>GET /api/v1/context</c> (what <c>engram context</c> prints). They run on the
/// <see cref="AgentServices"/> in the app's services (registered with the worker, <c>AddEngram(...).AddWorker()</c>);
/// the worker turns the spooled events into memories.
/// </summary>
public static class HookEndpoints
{
    /// <summary>Maps the hook and context endpoints. Behind <c>engram serve</c> they sit behind its API-key check; an app
    /// that maps them itself decides who may call them (a call without Engram's key check is the local user's).</summary>
    public static IEndpointRouteBuilder MapEngramHooks(this IEndpointRouteBuilder app)
    {
        var agents = app.ServiceProvider.GetService<AgentServices>()
            ?? throw new InvalidOperationException("MapEngramHooks needs Engram's agent services: call services.AddEngram(...).AddWorker() first");
        app.MapPost("/api/v1/hooks/{agent}/{eventName}", (HttpContext context, string agent, string eventName) => PostHookAsync(agents, context, agent, eventName))
            .WithTags("hooks").WithName("PostHookEvent").WithSummary("Capture an agent's hook event (the body is the event JSON); session-start answers with the context");
        app.MapGet("/api/v1/context", (HttpContext context, string? project, string? cwd) => ContextAsync(agents, context, project, cwd))
            .WithTags("context").WithName("GetContext").WithSummary("The context a new session in a project would be given");
        return app;
    }

    private static async Task<IResult> PostHookAsync(AgentServices agents, HttpContext context, string agent, string eventName)
    {
        if (AgentRegistry.Resolve(agent, eventName) is null)
        {
            return Results.Problem(statusCode: 404, title: "Unknown hook",
                detail: $"no hook '{agent}/{eventName}'; expected AGENT/EVENT, one of {AgentRegistry.Describe()}");
        }
        if (CallerOf(context).Tenant != MemoryScope.DefaultTenant)
        {
            return Results.Problem(statusCode: 403, title: "Hooks are local",
                detail: "hook events are captured for the local (default) tenant only; use the memories API for other tenants");
        }
        // Checked here too, for apps that map these endpoints without engram serve's guard: a web page can POST
        // text/plain anywhere without asking, and must not plant events.
        if (!context.Request.HasJsonContentType())
        {
            return Results.Problem(statusCode: 415, title: "Unsupported media type", detail: "post the hook's event JSON with Content-Type: application/json");
        }
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        // Under engram serve, already repaired by its JSON guard (a cut emoji, a stray byte).
        var payload = body.ToArray();
        if (payload.Length == 0) return Results.Problem(statusCode: 400, title: "Empty hook payload", detail: "post the hook's event JSON as the request body");
        try
        {
            using var document = JsonDocument.Parse(payload);
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("the body must be a JSON object");
        }
        catch (JsonException ex)
        {
            return Results.Problem(statusCode: 400, title: "Malformed hook payload", detail: ex.Message);
        }

        var id = agents.Spool.Write(agent, eventName, payload, agents.Time.GetUtcNow());
        context.Response.Headers["Engram-Event-Id"] = id;
        // Session start answers like the command hook (the SessionStart JSON with the context); other events with {}.
        var answer = eventName == IAgentAdapter.SessionStartEvent
            ? await SessionStartAnswer.BuildAsync(agents, HookPayload.Parse(payload), id, ContextInjections.HttpHookSource, drainBudget: null, context.RequestAborted)
            : [];
        return Results.Bytes(answer.Length > 0 ? answer : "{}"u8.ToArray(), "application/json");
    }

    private static async Task<IResult> ContextAsync(AgentServices agents, HttpContext context, string? project, string? cwd)
    {
        if (project is null && cwd is null)
        {
            return Results.Problem(statusCode: 400, title: "Which project?", detail: "give ?project=KEY (such as github.com/org/repo) or ?cwd=PATH (a folder on the server)");
        }
        if (project is null && !Directory.Exists(cwd)) return Results.Problem(statusCode: 400, title: "No such folder", detail: $"cwd '{cwd}' is not a folder on the server");
        var text = (await agents.BuildContextAsync(cwd ?? Environment.CurrentDirectory, project, context.RequestAborted, CallerOf(context).Tenant)).Text;
        return TypedResults.Json(new ContextTextResponse(text, text.Length, (text.Length + 3) / 4), ServerJsonContext.Default.ContextTextResponse);
    }

    private static EngramCaller CallerOf(HttpContext context) => ApiKeyAuthentication.CallerOrLocal(context);
}
