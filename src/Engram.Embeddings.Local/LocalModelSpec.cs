namespace Engram.Embeddings.Local;

/// <summary>How a sentence-embedding model turns token states into one vector.</summary>
public enum Pooling
{
    /// <summary>The [CLS] token's state (arctic-embed).</summary>
    Cls,
    /// <summary>The mean of the real tokens' states (all-MiniLM).</summary>
    Mean,
}

/// <summary>A built-in model: its folder name, pooling and the prefix it expects on search queries.</summary>
public sealed record LocalModelSpec(string Name, Pooling Pooling, string QueryPrefix, int MaxTokens)
{
    /// <summary>snowflake-arctic-embed-xs: 384 dimensions, CLS pooling, trained with a prefix on queries.</summary>
    public static LocalModelSpec ArcticXs { get; } = new("arctic-xs", Pooling.Cls, "Represent this sentence for searching relevant passages: ", 512);

    /// <summary>all-MiniLM-L6-v2: 384 dimensions, mean pooling, symmetric (no prefix).</summary>
    public static LocalModelSpec MiniLm { get; } = new("minilm", Pooling.Mean, "", 256);

    public static LocalModelSpec? Find(string name) => name.ToLowerInvariant() switch
    {
        "arctic-xs" or "snowflake-arctic-embed-xs" => ArcticXs,
        "minilm" or "all-minilm-l6-v2" => MiniLm,
        _ => null,
    };

    /// <summary>Where the build puts the shipped model: next to the assemblies.</summary>
    public string DefaultFolder => Path.Combine(AppContext.BaseDirectory, "models", Name);
}
