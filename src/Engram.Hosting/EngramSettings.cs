using Engram.Core.Search;

namespace Engram.Hosting;

/// <summary>Everything settings.json and ENGRAM_&lt;Section&gt;__&lt;Key&gt; variables can set.</summary>
public sealed record EngramSettings
{
    public StorageSettings Storage { get; init; } = new();
    public LlmSettings Llm { get; init; } = new();
    public EmbeddingSettings Embeddings { get; init; } = new();
    public SearchOptions Search { get; init; } = new();
    public HookSettings Hooks { get; init; } = new();
    public WorkerSettings Worker { get; init; } = new();
    public ServerSettings Server { get; init; } = new();
}

public sealed record HookSettings
{
    /// <summary>Tool names never turned into observations (a trailing * matches a prefix); null means the built-in list.</summary>
    public IReadOnlyList<string>? SkipTools { get; init; }
    /// <summary>Session-start context budget in tokens.</summary>
    public int ContextTokens { get; init; } = 1500;

    /// <summary>What the agent side reads of these and of the chat model's settings.</summary>
    public Agents.Worker.AgentOptions ToAgentOptions(LlmSettings llm) => new()
    {
        SkipTools = SkipTools,
        ContextTokens = ContextTokens,
        CompressSessions = llm.CompressSessions,
        CompressionModel = llm.CompressionModel,
    };
}

public sealed record WorkerSettings
{
    /// <summary>The background worker exits after this long with nothing to do; the next hook starts it again.</summary>
    public double IdleMinutes { get; init; } = 10;
}

public sealed record StorageSettings
{
    /// <summary><c>sqlite</c> (default) or <c>postgres</c>.</summary>
    public string Provider { get; init; } = "sqlite";
    /// <summary>For sqlite, an optional database file path (default: engram.db in the home); for postgres, the connection string.</summary>
    public string? ConnectionString { get; init; }
}

public sealed record LlmSettings
{
    /// <summary><c>none</c>, <c>anthropic</c>, <c>openai</c>, <c>claude-code</c> or <c>auto</c>.</summary>
    public string Provider { get; init; } = "none";
    public string? Model { get; init; }
    public string? BaseUrl { get; init; }
    public string? ApiKey { get; init; }
    /// <summary>Tokens a day (UTC) Engram may spend; past it, work falls back to the offline path. 0 means no limit.</summary>
    public long DailyTokenBudget { get; init; }
    /// <summary>Distil captured tool calls with the model (batched per session) instead of offline. Off by default: it spends tokens.</summary>
    public bool CompressSessions { get; init; }
    /// <summary>A cheaper model for that routine compression; null uses Llm:Model.</summary>
    public string? CompressionModel { get; init; }
}

public sealed record EmbeddingSettings
{
    /// <summary>
    /// <c>local</c> (the built-in model, in-process and offline: the default), <c>none</c> (text search only)
    /// or <c>openai</c> (any OpenAI-compatible /v1/embeddings endpoint).
    /// </summary>
    public string Provider { get; init; } = "local";
    public string? Model { get; init; }
    public string? BaseUrl { get; init; }
    public string? ApiKey { get; init; }
    public int? Dimensions { get; init; }
    /// <summary>For <c>local</c>: a folder with model.onnx and vocab.txt instead of the shipped model.</summary>
    public string? ModelPath { get; init; }
}

public sealed record ServerSettings
{
    /// <summary>Address <c>engram serve</c> listens on; anything but loopback needs API keys.</summary>
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 37777;
    /// <summary>
    /// Requests one API key (or one remote client address without a key) may make per minute; 0 turns the limit off.
    /// Calls without a key from loopback, the local user's, are never limited.
    /// </summary>
    public int RateLimitPerMinute { get; init; } = 6000;
    /// <summary>Largest request body accepted, in bytes.</summary>
    public long MaxRequestBytes { get; init; } = 1_048_576;
}
