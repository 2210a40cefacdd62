using Microsoft.Extensions.AI;

namespace Engram.Testing;

/// <summary>
/// A deterministic stand-in for an embedding model, for tests of the library seam only: each word,
/// and each word of a small synonym table, lights up one of 64 dimensions, so "car" and
/// "automobile" land close together while sharing no letters. (Provider tests use a fake HTTP server.)
/// </summary>
public sealed class WordHashEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private static readonly Dictionary<string, string> Synonyms = new(StringComparer.OrdinalIgnoreCase)
    {
        ["automobile"] = "car", ["vehicle"] = "car", ["feline"] = "cat", ["kitten"] = "cat",
        ["physician"] = "doctor", ["medic"] = "doctor",
    };

    public int Calls { get; private set; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var text in values)
        {
            Calls++;
            var vector = new float[64];
            foreach (var raw in text.Split([' ', '.', ',', '?', '!', '\n'], StringSplitOptions.RemoveEmptyEntries))
            {
                var word = Synonyms.TryGetValue(raw, out var canonical) ? canonical : raw.ToLowerInvariant();
                vector[(int)((uint)StableHash(word) % 64)] += 1;
            }
            result.Add(new Embedding<float>(vector));
        }
        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("test", null, "word-hash-64", 64) : null;

    public void Dispose() { }

    private static int StableHash(string s)
    {
        unchecked
        {
            var h = 17;
            foreach (var c in s) h = h * 31 + c;
            return h;
        }
    }
}
