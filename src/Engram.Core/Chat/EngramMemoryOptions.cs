using Engram.Core.Model;

namespace Engram.Core.Chat;

/// <summary>How <see cref="EngramMemoryChatClient"/> remembers for a chat.</summary>
public sealed record EngramMemoryOptions
{
    /// <summary>Whose memories: recalled from, and captured into, this scope.</summary>
    public required MemoryScope Scope { get; init; }
    /// <summary>Memories recalled before each call, at most.</summary>
    public int MaxMemories { get; init; } = 8;
    /// <summary>Room for the recalled memories in the prompt, in characters (about a quarter as many tokens).</summary>
    public int MaxContextCharacters { get; init; } = 2000;
    /// <summary>Store each exchange (the user's message and the answer) after the call.</summary>
    public bool CaptureExchanges { get; init; } = true;
    /// <summary>Distil captured exchanges into facts with the memory service's model; without one, they are kept verbatim.</summary>
    public bool InferOnCapture { get; init; } = true;
}
