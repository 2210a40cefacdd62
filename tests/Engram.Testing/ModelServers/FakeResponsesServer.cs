using System.Net;
using System.Text.Json.Nodes;

namespace Engram.Testing.ModelServers;

/// <summary>
/// OpenAI's Responses API as Codex CLI uses it (a model provider with <c>wire_api = "responses"</c> and
/// <c>base_url = Root + "/v1"</c>): <c>POST /v1/responses</c> streamed as server-sent events (response.created,
/// response.output_item.added, response.output_text.delta, response.output_item.done, response.completed).
/// A tool call is a <c>function_call</c> item (with a <c>namespace</c> for an MCP server's tool), a freeform one
/// (apply_patch) a <c>custom_tool_call</c> item.
/// </summary>
public sealed class FakeResponsesServer : ScriptedModelServer
{
    protected override async Task AnswerAsync(HttpListenerContext context, ModelRequest request)
    {
        var path = context.Request.Url!.AbsolutePath;
        if (path != "/v1/responses" || request.Json is not JsonObject body)
        {
            await WriteJsonAsync(context.Response, new JsonObject { ["error"] = new JsonObject { ["message"] = $"no route {path}", ["type"] = "invalid_request_error" } }, 404);
            return;
        }
        var turn = body["tools"] is JsonArray { Count: > 0 } ? NextTurn() : ModelTurn.Say("ok");
        JsonObject item;
        if (turn.FreeformInput is not null)
        {
            item = new JsonObject { ["type"] = "custom_tool_call", ["id"] = NewId("ctc_fake"), ["call_id"] = NewId("call_fake"), ["name"] = turn.ToolName, ["input"] = turn.FreeformInput };
        }
        else if (turn.IsToolCall)
        {
            item = new JsonObject { ["type"] = "function_call", ["id"] = NewId("fc_fake"), ["call_id"] = NewId("call_fake"), ["name"] = turn.ToolName, ["arguments"] = turn.InputJson };
            if (turn.Namespace is not null) item["namespace"] = turn.Namespace;
        }
        else
        {
            item = new JsonObject
            {
                ["type"] = "message",
                ["id"] = NewId("msg_fake"),
                ["role"] = "assistant",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = turn.Text, ["annotations"] = new JsonArray() }),
            };
        }
        var response = new JsonObject
        {
            ["id"] = NewId("resp_fake"),
            ["object"] = "response",
            ["created_at"] = 1_796_000_000,
            ["model"] = body["model"]?.DeepClone(),
            ["status"] = "in_progress",
            ["output"] = new JsonArray(),
        };
        var events = new List<(string?, JsonNode)>
        {
            ("response.created", new JsonObject { ["type"] = "response.created", ["response"] = response.DeepClone() }),
            ("response.output_item.added", new JsonObject { ["type"] = "response.output_item.added", ["output_index"] = 0, ["item"] = WithStatus(item, "in_progress") }),
        };
        if (!turn.IsToolCall)
        {
            events.Add(("response.output_text.delta", new JsonObject
            {
                ["type"] = "response.output_text.delta", ["item_id"] = item["id"]!.DeepClone(), ["output_index"] = 0, ["content_index"] = 0, ["delta"] = turn.Text,
            }));
        }
        events.Add(("response.output_item.done", new JsonObject { ["type"] = "response.output_item.done", ["output_index"] = 0, ["item"] = WithStatus(item, "completed") }));
        response["status"] = "completed";
        response["output"] = new JsonArray(WithStatus(item, "completed"));
        response["usage"] = new JsonObject
        {
            ["input_tokens"] = 100,
            ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
            ["output_tokens"] = 20,
            ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
            ["total_tokens"] = 120,
        };
        events.Add(("response.completed", new JsonObject { ["type"] = "response.completed", ["response"] = response }));
        await WriteEventsAsync(context.Response, events);
    }

    private static JsonObject WithStatus(JsonObject item, string status)
    {
        var copy = (JsonObject)item.DeepClone();
        copy["status"] = status;
        return copy;
    }
}
