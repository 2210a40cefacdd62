using Engram.Core.Chat;
using Engram.Core.Services;

#pragma warning disable IDE0130 // Extensions live where their receiver's namespace is, as Microsoft.Extensions.AI's do.
namespace Microsoft.Extensions.AI;
#pragma warning restore IDE0130

/// <summary><c>chatClient.UseEngramMemory(memory, options)</c>: a chat client that remembers.</summary>
public static class EngramMemoryChatClientExtensions
{
    /// <summary>
    /// Wraps the client so that each call recalls relevant memories and each exchange is remembered.
    /// (With the Microsoft.Extensions.AI package, the same client fits a ChatClientBuilder's Use.)
    /// </summary>
    public static EngramMemoryChatClient UseEngramMemory(this IChatClient chatClient, IMemoryService memory, EngramMemoryOptions options) =>
        new(chatClient, memory, options);
}
