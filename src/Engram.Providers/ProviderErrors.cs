using System.ClientModel;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Engram.Core;
using Microsoft.Extensions.AI;

namespace Engram.Providers;

/// <summary>Which provider an error is about: its kind ("LLM"), its endpoint and the settings section to check.</summary>
internal sealed record ProviderEndpoint(string Kind, Uri Url, string Section, int MaxAttempts);

/// <summary>
/// Turns a provider's failures into <see cref="EngramException"/>s that name the endpoint and the setting to
/// check, so the CLI, the worker and the server report "refused the key; check Llm:ApiKey" instead of an SDK
/// stack trace. The caller's own cancellation passes through untouched.
/// </summary>
internal static class ProviderErrors
{
    public sealed class Chat(IChatClient inner, ProviderEndpoint endpoint) : DelegatingChatClient(inner)
    {
        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            try
            {
                return await base.GetResponseAsync(messages, options, cancellationToken);
            }
            catch (Exception ex) when (Describe(ex, endpoint, cancellationToken) is { } error)
            {
                throw error;
            }
        }

        public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await using var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync()) yield break;
                }
                catch (Exception ex) when (Describe(ex, endpoint, cancellationToken) is { } error)
                {
                    throw error;
                }
                yield return updates.Current;
            }
        }
    }

    public sealed class Embeddings(IEmbeddingGenerator<string, Embedding<float>> inner, ProviderEndpoint endpoint)
        : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var inputs = values as IList<string> ?? values.ToList();
            if (inputs.Count == 0) return [];
            try
            {
                return await base.GenerateAsync(inputs, options, cancellationToken);
            }
            catch (Exception ex) when (Describe(ex, endpoint, cancellationToken) is { } error)
            {
                throw error;
            }
        }
    }

    /// <summary>The error to throw instead of <paramref name="ex"/>, or null to let it pass (the caller cancelled).</summary>
    private static EngramException? Describe(Exception ex, ProviderEndpoint endpoint, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested || ex is EngramException) return null;
        var (kind, url, section) = (endpoint.Kind, endpoint.Url, endpoint.Section);
        // Retries that all failed to connect come back as one AggregateException of the attempts.
        var last = ex is AggregateException { InnerExceptions.Count: > 0 } all ? all.InnerExceptions[^1] : ex;
        var message = last switch
        {
            ClientResultException { Status: 401 or 403 } e => $"{kind} endpoint {url} refused the key ({e.Status}); check {section}:ApiKey",
            ClientResultException { Status: 404 } => $"{kind} endpoint {url} answered 404; check {section}:BaseUrl (it should end before /{url.Segments[^1]}, e.g. http://localhost:11434/v1) and {section}:Model",
            ClientResultException { Status: 408 or 429 or >= 500 } e =>
                $"{kind} endpoint {url} answered {e.Status} after {endpoint.MaxAttempts} attempt(s): {Shorten(e.GetRawResponse()?.Content.ToString() ?? e.Message)}",
            ClientResultException { Status: > 0 } e => $"{kind} endpoint {url} answered {e.Status}: {Shorten(e.GetRawResponse()?.Content.ToString() ?? e.Message)}",
            ClientResultException or HttpRequestException or OperationCanceledException or TimeoutException =>
                $"{kind} endpoint {url} is unreachable or timed out ({Shorten(last.Message)}); check {section}:BaseUrl",
            JsonException or FormatException or InvalidOperationException or KeyNotFoundException or ArgumentException =>
                $"{kind} endpoint {url} answered with something that is not an OpenAI-compatible response: {Shorten(last.Message)}",
            _ => null,
        };
        return message is null ? null : new EngramException(message, ex);
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
