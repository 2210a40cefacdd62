using Engram.Agents.Worker;
using Engram.Core;
using Engram.Core.Services;
using Engram.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Engram.Core.Search;

namespace Engram.Hosting;

/// <summary>What an app chose for Engram in <c>services.AddEngram(...)</c>: checked when the app starts.</summary>
public sealed class EngramOptions
{
    /// <summary>The folder of the default SQLite file; <c>$ENGRAM_HOME</c> or <c>~/.engram</c> when not set.</summary>
    public string? Home { get; set; }

    /// <summary>Ranking settings (the same as settings.json's Search section).</summary>
    public SearchOptions Search { get; set; } = new();

    /// <summary>Tokens a day the chat model may spend on Engram's work (0: no limit).</summary>
    public long DailyTokenBudget { get; set; }

    /// <summary>What the background worker and the hook endpoints do with captured events (<see cref="EngramBuilder.AddWorker"/>).</summary>
    public AgentOptions Agents { get; set; } = new();

    internal StorageSettings Storage { get; set; } = new();
    internal EmbeddingSettings Embeddings { get; set; } = new() { Provider = "none" };
    internal LlmSettings Llm { get; set; } = new();

    /// <summary>The problems that stop the app from starting, each naming what to change.</summary>
    internal IEnumerable<string> Problems()
    {
        if (Home is { Length: 0 }) yield return "Engram's Home is empty; leave it unset for $ENGRAM_HOME or ~/.engram";
        if (Storage.Provider == "postgres" && string.IsNullOrWhiteSpace(Storage.ConnectionString)) yield return "UsePostgres needs a connection string";
        if (Agents.ContextTokens <= 0) yield return $"Agents.ContextTokens {Agents.ContextTokens} must be more than 0";
        if (DailyTokenBudget < 0) yield return $"DailyTokenBudget {DailyTokenBudget} must be 0 (no limit) or more";
        string? search = null;
        try
        {
            Search.Validate();
        }
        catch (EngramException ex)
        {
            search = ex.Message;
        }
        if (search is not null) yield return search;
    }

    internal EngramHome ResolveHome() => Home is { } root ? new EngramHome(Path.GetFullPath(root)) : EngramHome.Resolve();

    internal EngramSettings ToSettings() => new()
    {
        Storage = Storage,
        Embeddings = Embeddings,
        Llm = Llm with { DailyTokenBudget = DailyTokenBudget },
        Search = Search,
    };
}

/// <summary>
/// <c>services.AddEngram(...)</c>'s answer: choose the store and the model providers. Without a choice Engram
/// uses the SQLite file in its home, no embeddings and no chat model (search by words, memories kept verbatim).
/// </summary>
public sealed class EngramBuilder(IServiceCollection services, Action<Action<EngramOptions>> configure)
{
    public IServiceCollection Services { get; } = services;

    /// <summary>The embedded store: a SQLite file (created with its folder when missing); null for the home's engram.db.</summary>
    public EngramBuilder UseSqlite(string? path = null) =>
        With(o => o.Storage = new StorageSettings { Provider = "sqlite", ConnectionString = path });

    /// <summary>The scale-out store: a PostgreSQL database (Npgsql connection string).</summary>
    public EngramBuilder UsePostgres(string connectionString) =>
        With(o => o.Storage = new StorageSettings { Provider = "postgres", ConnectionString = connectionString });

    /// <summary>The built-in embedding model (arctic-xs, in-process on ONNX Runtime): search by meaning, offline.</summary>
    public EngramBuilder AddLocalEmbeddings(string? model = null, string? modelPath = null) =>
        With(o => o.Embeddings = new EmbeddingSettings { Provider = "local", Model = model, ModelPath = modelPath });

    /// <summary>Embeddings from an OpenAI-compatible endpoint (OpenAI, Ollama, LM Studio, vLLM).</summary>
    public EngramBuilder AddOpenAiCompatibleEmbeddings(Uri baseUrl, string model, string? apiKey = null, int? dimensions = null) =>
        With(o => o.Embeddings = new EmbeddingSettings { Provider = "openai", BaseUrl = baseUrl.ToString(), Model = model, ApiKey = apiKey, Dimensions = dimensions });

    /// <summary>A chat model from an OpenAI-compatible endpoint, for fact extraction and session summaries.</summary>
    public EngramBuilder AddOpenAiCompatibleChat(Uri baseUrl, string model, string? apiKey = null) =>
        With(o => o.Llm = new LlmSettings { Provider = "openai", BaseUrl = baseUrl.ToString(), Model = model, ApiKey = apiKey });

    /// <summary>
    /// The background worker (a hosted service): turns captured hook events into memories, keeps session-start contexts
    /// ready and gives memories their vectors. One worker runs per home folder; a second waits for the first to exit.
    /// Map the hook endpoints with <c>app.MapEngramHooks()</c> (Engram.Server).
    /// </summary>
    public EngramBuilder AddWorker()
    {
        Services.AddEngramWorker(sp =>
        {
            var o = sp.GetRequiredService<IOptions<EngramOptions>>().Value;
            return new AgentServices(o.ResolveHome().Root, sp.GetRequiredService<IMemoryService>(), sp.GetRequiredService<IEngramStore>(), o.Agents,
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<EngramServiceCollectionExtensions.EngramChat>().Client);
        });
        return this;
    }

    private EngramBuilder With(Action<EngramOptions> choice)
    {
        configure(choice);
        return this;
    }
}
