using Microsoft.Extensions.AI;

namespace Engram.Core.Search;

/// <summary>
/// Tells an embedding generator whether it embeds a search query or a stored passage: asymmetric models
/// (arctic-embed) want a prefix on queries only. Generators that do not know the key ignore it.
/// </summary>
public static class EmbeddingPurpose
{
    /// <summary>Key in <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>; values "query" or "document".</summary>
    public const string Key = "engram.input_type";

    public static EmbeddingGenerationOptions Query { get; } = new() { AdditionalProperties = new() { [Key] = "query" } };

    public static bool IsQuery(EmbeddingGenerationOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(Key, out var value) == true && value is "query";
}
