using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Engram.Core;
using Microsoft.Extensions.AI;

namespace Engram.Providers;

/// <summary>
/// Chat completions from any OpenAI-compatible <c>POST {base}/chat/completions</c> endpoint (OpenAI, Ollama,
/// LM Studio, vLLM, llama.cpp). Asks for a JSON object when the caller's options say so, retries 429 and 5xx
/// with backoff, and reports the provider's token usage on the response.
/// </summary>
public sealed class OpenAiCompatibleChatClient : IChatClient
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Uri _endpoint;
    private readonly string _model;
    private readonly string? _apiKey;
    private readonly int _maxAttempts;
    private readonly ChatClientMetadata _metadata;

    public OpenAiCompatibleChatClient(Uri baseUrl, string model, string? apiKey = null, HttpClient? http = null, int maxAttempts = 3, TimeSpan? timeout = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        _endpoint = new Uri(baseUrl.ToString().TrimEnd('/') + "/chat/completions");
        _model = model;
        _apiKey = apiKey;
        _maxAttempts = Math.Max(1, maxAttempts);
        _ownsHttp = http is null;
        _http = http ?? new HttpClient { Timeout = timeout ?? TimeSpan.FromSeconds(60) };
        _metadata = new ChatClientMetadata("openai-compatible", baseUrl, model);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var body = Request(messages, options);
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            if (!string.IsNullOrEmpty(_apiKey)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _apiKey);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, cancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (attempt < _maxAttempts)
                {
                    await Task.Delay(Backoff(attempt, null), cancellationToken);
                    continue;
                }
                throw new EngramException($"LLM endpoint {_endpoint} is unreachable or timed out ({ex.Message}); check Llm:BaseUrl", ex);
            }
            using (response)
            {
                if (response.IsSuccessStatusCode) return Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
                var retryable = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
                if (retryable && attempt < _maxAttempts)
                {
                    await Task.Delay(Backoff(attempt, response.Headers.RetryAfter), cancellationToken);
                    continue;
                }
                var detail = await response.Content.ReadAsStringAsync(cancellationToken);
                throw new EngramException(response.StatusCode switch
                {
                    HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => $"LLM endpoint {_endpoint} refused the key ({(int)response.StatusCode}); check Llm:ApiKey",
                    HttpStatusCode.NotFound => $"LLM endpoint {_endpoint} answered 404; check Llm:BaseUrl (it should end before /chat/completions) and Llm:Model",
                    _ => $"LLM endpoint {_endpoint} answered {(int)response.StatusCode} after {attempt} attempt(s): {(detail.Length > 300 ? detail[..300] : detail)}",
                });
            }
        }
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Engram's calls want whole JSON answers; a stream is the whole answer as one update.
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates()) yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }

    private byte[] Request(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("model", options?.ModelId ?? _model);
            writer.WriteStartArray("messages");
            foreach (var message in messages)
            {
                writer.WriteStartObject();
                writer.WriteString("role", message.Role.Value);
                writer.WriteString("content", message.Text);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteNumber("temperature", options?.Temperature ?? 0);
            if (options?.MaxOutputTokens is { } max) writer.WriteNumber("max_tokens", max);
            if (options?.ResponseFormat is ChatResponseFormatJson)
            {
                writer.WriteStartObject("response_format");
                writer.WriteString("type", "json_object");
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private ChatResponse Parse(byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var message = root.GetProperty("choices")[0].GetProperty("message");
            var content = message.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() ?? "" : "";
            var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, content))
            {
                ModelId = root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String ? model.GetString() : _model,
            };
            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                response.Usage = new UsageDetails
                {
                    InputTokenCount = usage.TryGetProperty("prompt_tokens", out var input) ? input.GetInt64() : null,
                    OutputTokenCount = usage.TryGetProperty("completion_tokens", out var output) ? output.GetInt64() : null,
                    TotalTokenCount = usage.TryGetProperty("total_tokens", out var total) ? total.GetInt64() : null,
                };
            }
            return response;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or IndexOutOfRangeException or InvalidOperationException)
        {
            throw new EngramException($"LLM endpoint {_endpoint} answered with something that is not a chat completion: {ex.Message}", ex);
        }
    }

    private static TimeSpan Backoff(int attempt, RetryConditionHeaderValue? retryAfter)
    {
        if (retryAfter?.Delta is { } delta && delta <= TimeSpan.FromSeconds(30)) return delta;
        return TimeSpan.FromMilliseconds(200 * Math.Pow(2, attempt - 1) + Random.Shared.Next(0, 100));
    }
}
