using Engram.Core.Chat;
using Engram.Core.Services;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

#pragma warning disable IDE0130 // Extensions live where their receiver's namespace is, as Microsoft.Extensions.AI's do.
namespace Microsoft.Extensions.AI;
#pragma warning restore IDE0130

/// <summary><c>chatClient.AsBuilder().UseEngramMemory(...)</c>: a chat client that remembers.</summary>
public static class EngramMemoryChatClientExtensions
{
    /// <summary>Wraps the client so that each call recalls relevant memories and each exchange is remembered.</summary>
    public static EngramMemoryChatClient UseEngramMemory(this IChatClient chatClient, IMemoryService memory, EngramMemoryOptions options) =>
        new(chatClient, memory, options);

    /// <summary>Adds Engram's memory to a pipeline, with the given memory service.</summary>
    public static ChatClientBuilder UseEngramMemory(this ChatClientBuilder builder, IMemoryService memory, EngramMemoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(options);
        return builder.Use((inner, services) => new EngramMemoryChatClient(inner, memory, options, services.GetService<ILogger<EngramMemoryChatClient>>()));
    }

    /// <summary>Adds Engram's memory to a pipeline, with the <see cref="IMemoryService"/> registered in the builder's services.</summary>
    public static ChatClientBuilder UseEngramMemory(this ChatClientBuilder builder, EngramMemoryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return builder.Use((inner, services) => new EngramMemoryChatClient(inner, services.GetRequiredService<IMemoryService>(), options,
            services.GetService<ILogger<EngramMemoryChatClient>>()));
    }
}
