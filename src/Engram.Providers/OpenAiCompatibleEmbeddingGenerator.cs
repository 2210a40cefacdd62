using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Engram.Core;
using Microsoft.Extensions.AI;

namespace Engram.Providers;

/// <summary>
/// Embeddings from any OpenAI-compatible <c>POST {base}/embeddings</c> endpoint (OpenAI, Ollama, LM Studio,
/// vLLM, llama.cpp). Retries 429 and 5xx answers with exponential backoff (honouring Retry-After), and
/// turns every other failure into an error that names the endpoint and what to check.
/// </summary>
public sealed class OpenAiCompatibleEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly Uri _endpoint;
    private readonly string _model;
    private readonly string? _apiKey;
    private readonly int? _dimensions;
    private readonly int _maxAttempts;
    private readonly EmbeddingGeneratorMetadata _metadata;

    public OpenAiCompatibleEmbeddingGenerator(Uri baseUrl, string model, string? apiKey = null, int? dimensions = null, HttpClient? http = null, int maxAttempts = 4)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        _endpoint = new Uri(baseUrl.ToString().TrimEnd('/') + "/embeddings");
        _model = model;
        _apiKey = apiKey;
        _dimensions = dimensions;
        _maxAttempts = Math.Max(1, maxAttempts);
        _ownsHttp = http is null;
        _http = http ?? new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        _metadata = new EmbeddingGeneratorMetadata("openai-compatible", baseUrl, model, dimensions);
    }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var inputs = values.ToList();
        var result = new GeneratedEmbeddings<Embedding<float>>();
        if (inputs.Count == 0) return result;

        var body = Request(inputs);
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
            catch (HttpRequestException ex)
            {
                if (attempt < _maxAttempts)
                {
                    await Task.Delay(Backoff(attempt, null), cancellationToken);
                    continue;
                }
                throw new EngramException($"embedding endpoint {_endpoint} is unreachable ({ex.Message}); check Embeddings:BaseUrl", ex);
            }
            using (response)
            {
                if (response.IsSuccessStatusCode) return Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken), inputs.Count, result);
                var retryable = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
                if (retryable && attempt < _maxAttempts)
                {
                    await Task.Delay(Backoff(attempt, response.Headers.RetryAfter), cancellationToken);
                    continue;
                }
                var detail = Truncate(await response.Content.ReadAsStringAsync(cancellationToken), 300);
                throw new EngramException(response.StatusCode switch
                {
                    HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => $"embedding endpoint {_endpoint} refused the key ({(int)response.StatusCode}); check Embeddings:ApiKey",
                    HttpStatusCode.NotFound => $"embedding endpoint {_endpoint} answered 404; check Embeddings:BaseUrl (it should end before /embeddings, e.g. http://localhost:11434/v1) and Embeddings:Model",
                    _ => $"embedding endpoint {_endpoint} answered {(int)response.StatusCode} after {attempt} attempt(s): {detail}",
                });
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }

    private byte[] Request(List<string> inputs)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("model", _model);
            writer.WriteStartArray("input");
            foreach (var input in inputs) writer.WriteStringValue(input);
            writer.WriteEndArray();
            writer.WriteString("encoding_format", "float");
            if (_dimensions is { } d) writer.WriteNumber("dimensions", d);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private GeneratedEmbeddings<Embedding<float>> Parse(byte[] json, int expected, GeneratedEmbeddings<Embedding<float>> result)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var data = document.RootElement.GetProperty("data");
            var vectors = new float[expected][];
            foreach (var item in data.EnumerateArray())
            {
                var index = item.TryGetProperty("index", out var i) ? i.GetInt32() : Array.FindIndex(vectors, v => v is null);
                var embedding = item.GetProperty("embedding");
                var vector = new float[embedding.GetArrayLength()];
                var n = 0;
                foreach (var value in embedding.EnumerateArray()) vector[n++] = value.GetSingle();
                if (index < 0 || index >= expected) throw new FormatException($"embedding index {index} is out of range");
                vectors[index] = vector;
            }
            if (vectors.Any(v => v is null)) throw new FormatException($"expected {expected} embeddings, got {data.GetArrayLength()}");
            foreach (var vector in vectors) result.Add(new Embedding<float>(vector) { ModelId = _model });
            if (document.RootElement.TryGetProperty("usage", out var usage) && usage.TryGetProperty("prompt_tokens", out var tokens))
            {
                result.Usage = new UsageDetails { InputTokenCount = tokens.GetInt64() };
            }
            return result;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or FormatException or InvalidOperationException)
        {
            throw new EngramException($"embedding endpoint {_endpoint} answered with something that is not an OpenAI embeddings response: {ex.Message}", ex);
        }
    }

    private static TimeSpan Backoff(int attempt, RetryConditionHeaderValue? retryAfter)
    {
        if (retryAfter?.Delta is { } delta && delta <= TimeSpan.FromSeconds(30)) return delta;
        var baseDelay = TimeSpan.FromMilliseconds(200 * Math.Pow(2, attempt - 1));
        return baseDelay + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100));
    }

    private static string Truncate(string text, int width) => text.Length <= width ? text : text[..width] + "…";
}
