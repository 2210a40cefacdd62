using System.Net;
using System.Text.Json.Nodes;

namespace Engram.Testing.ModelServers;

/// <summary>
/// Anthropic's Messages API as Claude Code uses it (point it here with <c>ANTHROPIC_BASE_URL</c>):
/// <c>POST /v1/messages</c> streamed as server-sent events (message_start, content_block_start/delta/stop with
/// text_delta or input_json_delta, message_delta with the stop reason, message_stop), or as one JSON message when
/// the request does not ask for a stream; <c>POST /v1/messages/count_tokens</c> answers a small count.
/// Requests that offer tools take the next scripted turn; others (titles, summaries) get a short text.
/// </summary>
public sealed class FakeAnthropicServer : ScriptedModelServer
{
    protected override async Task AnswerAsync(HttpListenerContext context, ModelRequest request)
    {
        var path = context.Request.Url!.AbsolutePath;
        if (path == "/v1/messages/count_tokens")
        {
            await WriteJsonAsync(context.Response, new JsonObject { ["input_tokens"] = 100 });
            return;
        }
        if (path != "/v1/messages" || request.Json is not JsonObject body)
        {
            await WriteJsonAsync(context.Response, Error("not_found_error", $"no route {path}"), 404);
            return;
        }
        var offersTools = body["tools"] is JsonArray { Count: > 0 };
        var turn = offersTools ? NextTurn() : ModelTurn.Say("ok");
        var block = turn.IsToolCall
            ? new JsonObject { ["type"] = "tool_use", ["id"] = NewId("toolu_fake"), ["name"] = turn.ToolName, ["input"] = new JsonObject() }
            : new JsonObject { ["type"] = "text", ["text"] = "" };
        var stopReason = turn.IsToolCall ? "tool_use" : "end_turn";
        var message = new JsonObject
        {
            ["id"] = NewId("msg_fake"),
            ["type"] = "message",
            ["role"] = "assistant",
            ["model"] = body["model"]?.DeepClone(),
            ["content"] = new JsonArray(),
            ["stop_reason"] = null,
            ["stop_sequence"] = null,
            ["usage"] = new JsonObject { ["input_tokens"] = 100, ["output_tokens"] = 1 },
        };
        if (body["stream"]?.GetValue<bool>() != true)
        {
            var complete = (JsonObject)block.DeepClone();
            if (turn.IsToolCall) complete["input"] = turn.ToolInput?.DeepClone() ?? new JsonObject();
            else complete["text"] = turn.Text;
            message["content"] = new JsonArray(complete);
            message["stop_reason"] = stopReason;
            await WriteJsonAsync(context.Response, message);
            return;
        }
        var delta = turn.IsToolCall
            ? new JsonObject { ["type"] = "input_json_delta", ["partial_json"] = turn.InputJson }
            : new JsonObject { ["type"] = "text_delta", ["text"] = turn.Text };
        await WriteEventsAsync(context.Response,
        [
            ("message_start", new JsonObject { ["type"] = "message_start", ["message"] = message }),
            ("content_block_start", new JsonObject { ["type"] = "content_block_start", ["index"] = 0, ["content_block"] = block }),
            ("content_block_delta", new JsonObject { ["type"] = "content_block_delta", ["index"] = 0, ["delta"] = delta }),
            ("content_block_stop", new JsonObject { ["type"] = "content_block_stop", ["index"] = 0 }),
            ("message_delta", new JsonObject
            {
                ["type"] = "message_delta",
                ["delta"] = new JsonObject { ["stop_reason"] = stopReason, ["stop_sequence"] = null },
                ["usage"] = new JsonObject { ["output_tokens"] = 20 },
            }),
            ("message_stop", new JsonObject { ["type"] = "message_stop" }),
        ]);
    }

    private static JsonObject Error(string type, string message) => new()
    {
        ["type"] = "error",
        ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
    };
}
