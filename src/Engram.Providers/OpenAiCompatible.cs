using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Engram.Providers;

/// <summary>
/// Chat and embeddings from any OpenAI-compatible endpoint (OpenAI, Ollama, LM Studio, vLLM, llama.cpp) through
/// Microsoft.Extensions.AI.OpenAI. Engram adds three things: its own error messages (which setting to check),
/// retries whose waits run on the given <see cref="TimeProvider"/>, and no Authorization header when no key is set.
/// </summary>
public static class OpenAiCompatible
{
    /// <summary>A chat client for <c>POST {baseUrl}/chat/completions</c>; <paramref name="maxAttempts"/> counts the first try.</summary>
    public static IChatClient Chat(Uri baseUrl, string model, string? apiKey = null, int maxAttempts = 3, TimeSpan? timeout = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        var inner = Client(baseUrl, apiKey, maxAttempts, timeout, time).GetChatClient(model).AsIChatClient();
        return new ProviderErrors.Chat(inner, new ProviderEndpoint("LLM", Endpoint(baseUrl, "chat/completions"), "Llm", Math.Max(1, maxAttempts)));
    }

    /// <summary>An embedding generator for <c>POST {baseUrl}/embeddings</c>; <paramref name="maxAttempts"/> counts the first try.</summary>
    public static IEmbeddingGenerator<string, Embedding<float>> Embeddings(Uri baseUrl, string model, string? apiKey = null, int? dimensions = null, int maxAttempts = 4, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(model);
        var inner = Client(baseUrl, apiKey, maxAttempts, timeout: null, time).GetEmbeddingClient(model).AsIEmbeddingGenerator(dimensions);
        return new ProviderErrors.Embeddings(inner, new ProviderEndpoint("embedding", Endpoint(baseUrl, "embeddings"), "Embeddings", Math.Max(1, maxAttempts)));
    }

    private static Uri Endpoint(Uri baseUrl, string path) => new(baseUrl.ToString().TrimEnd('/') + "/" + path);

    private static OpenAIClient Client(Uri baseUrl, string? apiKey, int maxAttempts, TimeSpan? timeout, TimeProvider? time)
    {
        var options = new OpenAIClientOptions
        {
            Endpoint = baseUrl,
            NetworkTimeout = timeout ?? TimeSpan.FromSeconds(60),
            RetryPolicy = new Retries(Math.Max(1, maxAttempts) - 1, time ?? TimeProvider.System),
        };
        var keyless = string.IsNullOrEmpty(apiKey);
        // The SDK insists on a credential; local servers need none, so a keyless client sends no header at all.
        if (keyless) options.AddPolicy(new NoAuthorization(), PipelinePosition.BeforeTransport);
        return new OpenAIClient(new ApiKeyCredential(keyless ? "none" : apiKey!), options);
    }

    /// <summary>The SDK's retries (429, 408, 5xx, network errors; Retry-After honoured), waiting on a TimeProvider.</summary>
    private sealed class Retries(int maxRetries, TimeProvider time) : ClientRetryPolicy(maxRetries)
    {
        protected override Task WaitAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, time, cancellationToken);

        protected override void Wait(TimeSpan delay, CancellationToken cancellationToken) =>
            Task.Delay(delay, time, cancellationToken).GetAwaiter().GetResult();
    }

    private sealed class NoAuthorization : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Remove("Authorization");
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Remove("Authorization");
            return ProcessNextAsync(message, pipeline, currentIndex);
        }
    }
}
