using Engram.Core;
using Engram.Core.Services;
using Engram.Core.Storage;
using Engram.Sqlite;

namespace Engram.Hosting;

/// <summary>A memory service built from the home folder and its settings: what every front end runs on.</summary>
public sealed class EngramRuntime : IAsyncDisposable
{
    private readonly IEngramStore? _store;
    private readonly IEventQueue? _queue;
    private readonly IAsyncDisposable? _remote;
    private bool _borrowed;

    private EngramRuntime(EngramHome home, EngramSettings settings, IEngramStore? store, IEventQueue? queue, IMemoryService service, IAsyncDisposable? remote = null)
    {
        Home = home;
        Settings = settings;
        _store = store;
        _queue = queue;
        _remote = remote;
        Memory = service;
    }

    public EngramHome Home { get; }
    public EngramSettings Settings { get; }
    public IEngramStore Store => _store ?? throw RemoteOnly();
    public IEventQueue Queue => _queue ?? throw RemoteOnly();
    public IMemoryService Memory { get; }

    /// <summary>The clock every part of this runtime reads (the system's unless a test gave another).</summary>
    public TimeProvider Time { get; private init; } = TimeProvider.System;

    /// <summary>The model the settings name (usage-tracked, within the daily budget), or null when offline.</summary>
    public Microsoft.Extensions.AI.IChatClient? Chat { get; private init; }

    /// <summary>True when <see cref="Memory"/> is a remote server's and there is no local store.</summary>
    public bool IsRemote => _store is null;

    /// <summary>A runtime whose memory service is a remote server's (remote mode): it has no local store or queue.</summary>
    public static EngramRuntime Remote(EngramHome home, IMemoryService service, IAsyncDisposable? owner = null) =>
        new(home, SettingsLoader.Load(home), null, null, service, owner);

    /// <summary>The agent side (capture pipeline, worker, session-start answers) over this runtime's store (remote mode: contexts only).</summary>
    public Agents.Worker.AgentServices Agents() => new(Home.Root, Memory, _store, Settings.Hooks.ToAgentOptions(Settings.Llm), Time, Chat);

    private static EngramException RemoteOnly() =>
        new("this command works on the local store only; it is not available with --server (remote mode)");

    /// <summary>
    /// Loads settings, opens (and if needed creates) the store, and builds the service. Without
    /// <paramref name="vectors"/> the service searches by words only and embeds nothing: what a hook uses,
    /// so that no hook ever loads the embedding model.
    /// </summary>
    public static Task<EngramRuntime> OpenAsync(EngramHome home, TimeProvider? time = null, CancellationToken cancellationToken = default) =>
        OpenAsync(home, vectors: true, time, cancellationToken);

    /// <inheritdoc cref="OpenAsync(EngramHome, TimeProvider?, CancellationToken)"/>
    public static async Task<EngramRuntime> OpenAsync(EngramHome home, bool vectors, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var settings = SettingsLoader.Load(home);
        // Homes made by earlier versions were open to other users; Engram's own folders are tightened here.
        foreach (var folder in new[] { home.Root, home.LogsFolder, Path.Combine(home.Root, "spool") }) OwnerOnly.Restrict(folder);
        var store = OpenStore(settings.Storage, home, time);
        try
        {
            await store.InitializeAsync(cancellationToken);
        }
        catch
        {
            await store.DisposeAsync();
            throw;
        }
        var chat = TrackedChat(settings.Llm, store, time);
        return new EngramRuntime(home, settings, store, store.Queue, new MemoryService(store, settings.Search, vectors ? Embeddings(settings.Embeddings, time) : null, time, chat, embedOnWrite: settings.Embeddings.Provider != "local")) { Chat = chat, Time = time ?? TimeProvider.System };
    }

    /// <summary>How long closing waits to write the last search hits; past it they are dropped (soft statistics).</summary>
    private static readonly TimeSpan AccessFlushBudget = TimeSpan.FromSeconds(2);

    /// <summary>
    /// This runtime's memory service for one command run inside the process that owns it (the worker
    /// answering a one-shot command): disposing the view closes nothing. It has no store or queue of its own.
    /// </summary>
    public EngramRuntime Borrow() => new(Home, Settings, null, null, Memory) { Chat = Chat, Time = Time, _borrowed = true };

    public async ValueTask DisposeAsync()
    {
        if (_borrowed) return;
        if (Memory is MemoryService service && service.Access.Pending > 0)
        {
            // A writer in another process may hold the lock: never let closing wait on it for long.
            var flush = Task.Run(() => service.Access.FlushAsync(CancellationToken.None));
            await Task.WhenAny(flush, Task.Delay(AccessFlushBudget, Time));
            _ = flush.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }
        if (_store is not null) await _store.DisposeAsync();
        else if (_remote is not null) await _remote.DisposeAsync();
    }

    /// <summary>The chat model the settings name, its tokens counted in the store's ledger within the daily budget; null when offline.</summary>
    internal static Engram.Core.Chat.UsageTrackingChatClient? TrackedChat(LlmSettings settings, IEngramStore store, TimeProvider? time) =>
        ChatFor(settings, time) is { } chat
            ? new Engram.Core.Chat.UsageTrackingChatClient(chat, store.Usage, ResolveProvider(settings), settings.DailyTokenBudget, time)
            : null;

    /// <summary>
    /// The store the settings name (not yet initialised): the SQLite file in the home (or at
    /// Storage:ConnectionString), or the PostgreSQL database of Storage:ConnectionString.
    /// </summary>
    public static IEngramStore OpenStore(StorageSettings storage, EngramHome home, TimeProvider? time = null) => storage.Provider switch
    {
        "postgres" => new Engram.Postgres.PostgresMemoryStore(
            storage.ConnectionString ?? throw new EngramException(
                "Storage:Provider is postgres but Storage:ConnectionString is not set; for example Host=db.internal;Database=engram;Username=engram;Password=..."),
            time),
        "sqlite" => new SqliteMemoryStore(storage.ConnectionString ?? home.DatabasePath, time: time),
        _ => throw new EngramException($"Storage:Provider '{storage.Provider}' is unknown; use sqlite or postgres"),
    };

    /// <summary>
    /// The provider <c>auto</c> stands for: an OpenAI-compatible endpoint when one is configured, else Anthropic
    /// when ANTHROPIC_API_KEY is set, else the Claude Code CLI when it is on PATH, else none (offline).
    /// </summary>
    public static string ResolveProvider(LlmSettings settings) => settings.Provider != "auto"
        ? settings.Provider
        : settings.BaseUrl is not null || settings.ApiKey is not null || Environment.GetEnvironmentVariable("OPENAI_API_KEY") is { Length: > 0 } ? "openai"
        : Environment.GetEnvironmentVariable("ANTHROPIC_API_KEY") is { Length: > 0 } ? "anthropic"
        : Engram.Providers.ClaudeCodeChatClient.IsAvailable() ? "claude-code"
        : "none";

    /// <summary>The chat client the settings name, or null (offline).</summary>
    private static Microsoft.Extensions.AI.IChatClient? ChatFor(LlmSettings settings, TimeProvider? time)
    {
        var provider = ResolveProvider(settings);
        if (provider == "claude-code") return new Engram.Providers.ClaudeCodeChatClient(settings.Model ?? "haiku");
        if (provider == "anthropic")
        {
            return Engram.Providers.AnthropicChat.Create(settings.Model ?? "claude-haiku-4-5",
                settings.ApiKey ?? Environment.GetEnvironmentVariable("ANTHROPIC_API_KEY"), HttpUrl(settings.BaseUrl, "Llm:BaseUrl"));
        }
        if (provider != "openai") return null;
        var uri = HttpUrl(settings.BaseUrl ?? "https://api.openai.com/v1", "Llm:BaseUrl")!;
        return Engram.Providers.OpenAiCompatible.Chat(uri, settings.Model ?? "gpt-4o-mini", settings.ApiKey ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY"), time: time);
    }

    private static Uri? HttpUrl(string? value, string key) =>
        value is null ? null
        : Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == "http" || uri.Scheme == "https") ? uri
        : throw new EngramException($"setting {key} is '{value}', which is not an http(s) URL");

    /// <summary>
    /// The embedding generator the settings name, or null for none. The built-in model is not loaded here:
    /// it loads on first use, so commands that never embed never pay for it.
    /// </summary>
    public static Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>? Embeddings(EmbeddingSettings settings, TimeProvider? time = null)
    {
        if (settings.Provider == "none") return null;
        if (settings.Provider == "local")
        {
            var name = settings.Model ?? Engram.Embeddings.Local.LocalModelSpec.ArcticXs.Name;
            var spec = Engram.Embeddings.Local.LocalModelSpec.Find(name)
                ?? throw new EngramException($"setting Embeddings:Model is '{name}', which is not a built-in model; use arctic-xs (or minilm with Embeddings:ModelPath)");
            return new Engram.Embeddings.Local.LocalEmbeddingGenerator(spec, settings.ModelPath);
        }
        var uri = HttpUrl(settings.BaseUrl ?? "https://api.openai.com/v1", "Embeddings:BaseUrl")!;
        var model = settings.Model ?? "text-embedding-3-small";
        var key = settings.ApiKey ?? Environment.GetEnvironmentVariable("OPENAI_API_KEY");
        return Engram.Providers.OpenAiCompatible.Embeddings(uri, model, key, settings.Dimensions, time: time);
    }
}
