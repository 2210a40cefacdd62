using System.Text.Json;
using Engram.Agents.Capture;
using Engram.Core.Model;
using Engram.Hosting;
using Engram.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Engram.Cli;

/// <summary>
/// The agent endpoints of engram serve: <c>POST /api/v1/hooks/{agent}/{event}</c> (what <c>engram hook</c> does,
/// for agents that post hook events over HTTP) and <c>GET /api/v1/context</c> (what <c>engram context</c> prints).
/// </summary>
internal static class AgentEndpoints
{
    public static void Map(IEndpointRouteBuilder app, EngramRuntime runtime)
    {
        app.MapPost("/api/v1/hooks/{agent}/{eventName}", async (HttpContext context, string agent, string eventName) =>
        {
            if (agent != "claude-code" || !HookCommand.ClaudeCodeEvents.Contains(eventName))
            {
                return Results.Problem(statusCode: 404, title: "Unknown hook",
                    detail: $"no hook '{agent}/{eventName}'; expected claude-code/<{string.Join('|', HookCommand.ClaudeCodeEvents)}>");
            }
            if (EngramServer.CallerOf(context).Tenant != MemoryScope.DefaultTenant)
            {
                return Results.Problem(statusCode: 403, title: "Hooks are local",
                    detail: "hook events are captured for the local (default) tenant only; use the memories API for other tenants");
            }
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            // Already repaired by the server's JSON guard (a cut emoji, a stray byte), so the cwd below can be read.
            var payload = body.ToArray();
            if (payload.Length == 0) return Results.Problem(statusCode: 400, title: "Empty hook payload", detail: "post the hook's event JSON as the request body");
            string? cwd;
            try
            {
                using var document = JsonDocument.Parse(payload);
                if (document.RootElement.ValueKind != JsonValueKind.Object) throw new JsonException("the body must be a JSON object");
                cwd = document.RootElement.TryGetProperty("cwd", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            }
            catch (JsonException ex)
            {
                return Results.Problem(statusCode: 400, title: "Malformed hook payload", detail: ex.Message);
            }

            var id = Spool.ForHome(runtime.Home.Root).Write(agent, eventName, payload, runtime.Time.GetUtcNow());
            context.Response.Headers["Engram-Event-Id"] = id;
            if (eventName != "session-start") return Results.Json(new Dictionary<string, object>());

            // Session start answers like the command hook: Claude Code's SessionStart JSON with the context.
            var text = await AgentRuntime.ContextAsync(runtime, cwd is { Length: > 0 } && Directory.Exists(cwd) ? cwd : Environment.CurrentDirectory, null, context.RequestAborted);
            return Results.Json(new Dictionary<string, object>
            {
                ["hookSpecificOutput"] = new Dictionary<string, string> { ["hookEventName"] = "SessionStart", ["additionalContext"] = text },
            });
        });

        app.MapGet("/api/v1/context", async (HttpContext context, string? project, string? cwd) =>
        {
            if (project is null && cwd is null)
            {
                return Results.Problem(statusCode: 400, title: "Which project?", detail: "give ?project=KEY (such as github.com/org/repo) or ?cwd=PATH (a folder on the server)");
            }
            if (project is null && !Directory.Exists(cwd)) return Results.Problem(statusCode: 400, title: "No such folder", detail: $"cwd '{cwd}' is not a folder on the server");
            var text = await AgentRuntime.ContextAsync(runtime, cwd ?? Environment.CurrentDirectory, project, context.RequestAborted, EngramServer.CallerOf(context).Tenant);
            return Results.Json(new Dictionary<string, object>
            {
                ["context"] = text,
                ["characters"] = text.Length,
                ["estimated_tokens"] = (text.Length + 3) / 4,
            });
        });
    }
}
