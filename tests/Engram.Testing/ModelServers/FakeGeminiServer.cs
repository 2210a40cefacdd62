using System.Net;
using System.Text.Json.Nodes;

namespace Engram.Testing.ModelServers;

/// <summary>
/// The Gemini API as Gemini CLI uses it (point it here with <c>GOOGLE_GEMINI_BASE_URL</c> and an API key):
/// <c>POST /v1beta/models/{model}:streamGenerateContent?alt=sse</c> streamed as <c>data:</c> events of
/// GenerateContentResponse, <c>:generateContent</c> as one JSON answer, and <c>:countTokens</c>. A tool call is a
/// <c>functionCall</c> part. Requests without tools (the CLI's model router asks one first) get a short JSON text.
/// </summary>
public sealed class FakeGeminiServer : ScriptedModelServer
{
    protected override async Task AnswerAsync(HttpListenerContext context, ModelRequest request)
    {
        var path = context.Request.Url!.AbsolutePath;
        var method = path[(path.LastIndexOf(':') + 1)..];
        if (!path.StartsWith("/v1beta/models/", StringComparison.Ordinal) || request.Json is not JsonObject body)
        {
            await WriteJsonAsync(context.Response, Error(404, $"no route {path}"), 404);
            return;
        }
        if (method == "countTokens")
        {
            await WriteJsonAsync(context.Response, new JsonObject { ["totalTokens"] = 100 });
            return;
        }
        if (method is not ("generateContent" or "streamGenerateContent"))
        {
            await WriteJsonAsync(context.Response, Error(404, $"no method {method}"), 404);
            return;
        }
        // The model router's classifiers want a JSON verdict (Gemini CLI 0.61 asks for a complexity score).
        var turn = body["tools"] is JsonArray { Count: > 0 } ? NextTurn()
            : ModelTurn.Say("{\"complexity_reasoning\":\"scripted test\",\"complexity_score\":10,\"reasoning\":\"scripted test\",\"model_choice\":\"flash\"}");
        JsonObject part = turn.IsToolCall
            ? new JsonObject { ["functionCall"] = new JsonObject { ["name"] = turn.ToolName, ["args"] = turn.ToolInput?.DeepClone() ?? new JsonObject() } }
            : new JsonObject { ["text"] = turn.Text };
        var answer = new JsonObject
        {
            ["candidates"] = new JsonArray(new JsonObject
            {
                ["content"] = new JsonObject { ["role"] = "model", ["parts"] = new JsonArray(part) },
                ["finishReason"] = "STOP",
                ["index"] = 0,
            }),
            ["usageMetadata"] = new JsonObject { ["promptTokenCount"] = 100, ["candidatesTokenCount"] = 20, ["totalTokenCount"] = 120 },
            ["modelVersion"] = path["/v1beta/models/".Length..path.LastIndexOf(':')],
        };
        if (method == "generateContent") await WriteJsonAsync(context.Response, answer);
        else await WriteEventsAsync(context.Response, [(null, answer)]);
    }

    private static JsonObject Error(int code, string message) => new()
    {
        ["error"] = new JsonObject { ["code"] = code, ["message"] = message, ["status"] = "NOT_FOUND" },
    };
}
