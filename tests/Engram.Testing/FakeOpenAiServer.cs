using System.Collections.Concurrent;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Engram.Testing;

/// <summary>
/// A stand-in for an OpenAI-compatible provider on 127.0.0.1, speaking the real wire protocols of
/// <c>POST /v1/embeddings</c> and <c>POST /v1/chat/completions</c>, plain or streamed (whose answers the test scripts). Vectors come from <see cref="WordHashEmbeddingGenerator"/>, so related words
/// land close together. Tests can queue failures (status codes or a garbage body) answered before the real ones.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly WordHashEmbeddingGenerator _vectors = new();
    private readonly Task _loop;
    private readonly CancellationTokenSource _stopping = new();

    public FakeOpenAiServer()
    {
        (_listener, var root) = LoopbackListener.Start();
        BaseUrl = root + "/v1";
        _loop = Task.Run(() => LoopbackListener.ServeAsync(_listener, AnswerAsync));
    }

    public string BaseUrl { get; }

    /// <summary>Requests received: path, authorization header, body.</summary>
    public ConcurrentQueue<(string Path, string? Authorization, JsonNode? Body)> Requests { get; } = new();

    /// <summary>Answers to give before normal ones: an HTTP status, or 0 for a 200 with a body that is not JSON.</summary>
    public ConcurrentQueue<int> Failures { get; } = new();

    /// <summary>Contents of the next chat completions, in order (what the "model" answers).</summary>
    public ConcurrentQueue<string> ChatReplies { get; } = new();

    /// <summary>Never answer, until the server is disposed (a provider that hangs).</summary>
    public bool Hangs { get; set; }

    /// <summary>Wait this long before answering each request (a slow provider).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Answer every request with this status (a provider that is down).</summary>
    public int? AlwaysFail { get; set; }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        JsonNode? body = null;
        try { body = JsonNode.Parse(text); } catch (JsonException) { }
        // Anthropic sends its key as x-api-key; when present it is what is recorded, else the bearer header.
        Requests.Enqueue((context.Request.Url!.AbsolutePath, context.Request.Headers["x-api-key"] ?? context.Request.Headers["Authorization"], body));
        if (Hangs)
        {
            try { await Task.Delay(Timeout.Infinite, _stopping.Token); } catch (OperationCanceledException) { }
            context.Response.Abort();
            return;
        }
        if (Delay > TimeSpan.Zero) await Task.Delay(Delay);
        var response = context.Response;
        if (AlwaysFail is { } always || Failures.TryDequeue(out always))
        {
            response.StatusCode = always == 0 ? 200 : always;
            await Write(response, always == 0 ? "<html>definitely not json</html>" : "{\"error\":{\"message\":\"fake failure\",\"type\":\"server_error\"}}");
            return;
        }
        if (context.Request.Url.AbsolutePath == "/v1/messages")
        {
            // Anthropic's Messages API.
            if (!ChatReplies.TryDequeue(out var reply))
            {
                response.StatusCode = 500;
                await Write(response, "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"the test scripted no more replies\"}}");
                return;
            }
            var message = new JsonObject
            {
                ["id"] = "msg_fake",
                ["type"] = "message",
                ["role"] = "assistant",
                ["model"] = body?["model"]?.GetValue<string>(),
                ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = reply }),
                ["stop_reason"] = "end_turn",
                ["stop_sequence"] = null,
                ["usage"] = new JsonObject { ["input_tokens"] = 90, ["output_tokens"] = 25 },
            };
            await Write(response, message.ToJsonString());
            return;
        }
        if (context.Request.Url.AbsolutePath == "/v1/chat/completions")
        {
            if (!ChatReplies.TryDequeue(out var content))
            {
                response.StatusCode = 500;
                await Write(response, "{\"error\":{\"message\":\"the test scripted no more replies\"}}");
                return;
            }
            if (body?["stream"]?.GetValue<bool>() == true)
            {
                await StreamCompletion(response, body, content);
                return;
            }
            var completion = new JsonObject
            {
                ["id"] = "chatcmpl-fake",
                ["object"] = "chat.completion",
                ["model"] = body?["model"]?.GetValue<string>(),
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                    ["finish_reason"] = "stop",
                }),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 120, ["completion_tokens"] = 30, ["total_tokens"] = 150 },
            };
            await Write(response, completion.ToJsonString());
            return;
        }
        if (context.Request.Url.AbsolutePath != "/v1/embeddings" || body?["input"] is not JsonArray inputs)
        {
            response.StatusCode = 404;
            await Write(response, "{\"error\":{\"message\":\"not found\"}}");
            return;
        }
        var data = new JsonArray();
        var index = 0;
        foreach (var input in inputs)
        {
            var vector = (await _vectors.GenerateAsync([input!.GetValue<string>()]))[0].Vector.ToArray();
            // The OpenAI SDKs ask for base64 (little-endian float32); plain clients get a JSON array.
            JsonNode embedding = body["encoding_format"]?.GetValue<string>() == "base64"
                ? Convert.ToBase64String(MemoryMarshal.AsBytes(vector.AsSpan()))
                : new JsonArray(vector.Select(v => (JsonNode)v).ToArray());
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = index++, ["embedding"] = embedding });
        }
        var answer = new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = body["model"]?.GetValue<string>(),
            ["usage"] = new JsonObject { ["prompt_tokens"] = inputs.Count * 7, ["total_tokens"] = inputs.Count * 7 },
        };
        await Write(response, answer.ToJsonString());
    }

    /// <summary>A chat completion as server-sent events: the text in word chunks, the finish, usage when asked, [DONE].</summary>
    private static async Task StreamCompletion(HttpListenerResponse response, JsonNode body, string content)
    {
        response.ContentType = "text/event-stream";
        response.SendChunked = true;
        var model = body["model"]?.GetValue<string>();
        JsonObject Chunk(JsonObject delta, string? finish) => new()
        {
            ["id"] = "chatcmpl-fake",
            ["object"] = "chat.completion.chunk",
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish }),
        };
        var events = new List<JsonObject> { Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null) };
        foreach (var piece in System.Text.RegularExpressions.Regex.Split(content, @"(?<=\s)"))
        {
            if (piece.Length > 0) events.Add(Chunk(new JsonObject { ["content"] = piece }, null));
        }
        events.Add(Chunk(new JsonObject(), "stop"));
        if (body["stream_options"]?["include_usage"]?.GetValue<bool>() == true)
        {
            events.Add(new JsonObject
            {
                ["id"] = "chatcmpl-fake",
                ["object"] = "chat.completion.chunk",
                ["model"] = model,
                ["choices"] = new JsonArray(),
                ["usage"] = new JsonObject { ["prompt_tokens"] = 120, ["completion_tokens"] = 30, ["total_tokens"] = 150 },
            });
        }
        foreach (var e in events) await response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes($"data: {e.ToJsonString()}\n\n"));
        await response.OutputStream.WriteAsync("data: [DONE]\n\n"u8.ToArray());
        response.Close();
    }

    private static async Task Write(HttpListenerResponse response, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        response.ContentType = "application/json";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    public async ValueTask DisposeAsync()
    {
        // Close alone: on Linux, Stop and then Close each unregister the port, and the second one binds it
        // again to do so, which fails when a parallel test has taken the freed port meanwhile.
        await _stopping.CancelAsync();
        _listener.Close();
        try { await _loop; } catch (ObjectDisposedException) { }
        _vectors.Dispose();
        _stopping.Dispose();
    }
}
