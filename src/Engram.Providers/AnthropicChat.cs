using Anthropic;
using Microsoft.Extensions.AI;

namespace Engram.Providers;

/// <summary>Claude through the official Anthropic SDK, as an <see cref="IChatClient"/>; the base URL is configurable.</summary>
public static class AnthropicChat
{
    public static IChatClient Create(string model, string? apiKey, Uri? baseUrl, int maxOutputTokens = 2048)
    {
        var client = baseUrl is null
            ? new AnthropicClient { ApiKey = apiKey }
            : new AnthropicClient { ApiKey = apiKey, BaseUrl = baseUrl.ToString().TrimEnd('/') };
        return client.AsIChatClient(model, maxOutputTokens);
    }
}
