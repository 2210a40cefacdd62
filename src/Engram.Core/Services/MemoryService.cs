using Engram.Core.Inference;
using Engram.Core.Model;
using Engram.Core.Search;
using Engram.Core.Storage;
using Engram.Core.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Engram.Core.Services;

/// <summary>The embedded <see cref="IMemoryService"/>: validation, ids, history and ranking over an <see cref="IMemoryStore"/>.</summary>
public sealed partial class MemoryService : IMemoryService
{
    /// <summary>Longest content accepted for one memory, in characters.</summary>
    public const int MaxContentLength = 100_000;

    private readonly IMemoryStore _store;
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _embeddings;
    private readonly string _embeddingModel;
    private readonly int _embeddingDimensions;
    private readonly TimeProvider _time;
    private readonly MemoryId _ids;
    private readonly HybridRanker _ranker;
    private readonly SearchOptions _search;

    private readonly IChatClient? _chat;
    private readonly bool _embedOnWrite;
    private bool _vectorsExist;
    private readonly ILogger _log;
    private readonly IInjectionLog? _injections;

    /// <summary>A service over a complete store, whose injection record notes which offered memories were fetched.</summary>
    public MemoryService(
        IEngramStore store,
        SearchOptions? search = null,
        IEmbeddingGenerator<string, Embedding<float>>? embeddings = null,
        TimeProvider? time = null,
        IChatClient? chat = null,
        bool embedOnWrite = true,
        ILogger<MemoryService>? logger = null)
        : this((IMemoryStore)store, search, embeddings, time, chat, embedOnWrite, logger)
    {
        _injections = store.Injections;
    }

    /// <summary>A service over memories alone (tests, evaluations): fetches are counted as accesses only.</summary>
    public MemoryService(
        IMemoryStore store,
        SearchOptions? search = null,
        IEmbeddingGenerator<string, Embedding<float>>? embeddings = null,
        TimeProvider? time = null,
        IChatClient? chat = null,
        bool embedOnWrite = true,
        ILogger<MemoryService>? logger = null)
    {
        _log = logger ?? NullLogger<MemoryService>.Instance;
        _chat = chat;
        _embedOnWrite = embedOnWrite;
        _store = store;
        _search = search ?? new SearchOptions();
        _search.Validate();
        _embeddings = embeddings;
        _embeddingModel = embeddings?.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId ?? "default";
        _embeddingDimensions = embeddings?.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelDimensions ?? 0;
        _time = time ?? TimeProvider.System;
        _ids = new MemoryId(_time);
        _ranker = new HybridRanker(_search, _time);
        Access = new AccessRecorder(store, _time);
    }

    /// <summary>Search hits waiting to be written as access statistics (flushed in the background).</summary>
    public AccessRecorder Access { get; }

    private async Task<AddResult> AddCoreAsync(AddMemoryRequest request, CancellationToken cancellationToken)
    {
        if (request.Infer)
        {
            if (_chat is null)
            {
                throw new EngramException("inference (--infer) needs an LLM provider: set Llm:Provider to openai (any OpenAI-compatible endpoint, with Llm:BaseUrl and Llm:Model) or claude-code (your Claude Code CLI), or store the text verbatim with --no-infer");
            }
            try
            {
                return await InferAsync(request, _chat, cancellationToken);
            }
            catch (InferenceFailedException ex)
            {
                // The user's input is never dropped: kept verbatim, marked so it can be inferred again later.
                var metadata = new Dictionary<string, string>(request.Metadata, StringComparer.Ordinal) { ["needs_inference"] = "true", ["inference_error"] = ex.Message };
                var kept = await AddAsync(request with { Infer = false, Metadata = metadata }, cancellationToken);
                return kept with { InferenceError = ex.Message };
            }
        }

        var inputs = new List<(string Content, MemoryKind Kind, IReadOnlyDictionary<string, string> Metadata)>();
        if (request.Messages.Count > 0)
        {
            foreach (var message in request.Messages)
            {
                var metadata = new Dictionary<string, string>(request.Metadata, StringComparer.Ordinal)
                {
                    ["role"] = message.Role.Value,
                };
                if (message.AuthorName is { Length: > 0 } author) metadata["speaker"] = author;
                inputs.Add((message.Text, MemoryKind.Message, metadata));
            }
        }
        else
        {
            inputs.Add((request.Content ?? "", request.Kind, request.Metadata));
        }

        var scope = request.Scope.Normalized();
        Memory? repeated = null;
        if (request.Consolidates is { } repeatedId)
        {
            if (inputs.Count != 1) throw new EngramException("consolidating into an earlier memory takes one text, not a list of messages");
            repeated = await _store.GetAsync(scope.Tenant, MemoryId.Normalize(repeatedId), cancellationToken);
            if (repeated is not { IsCurrent: true }) repeated = null; // superseded or deleted meanwhile: a plain add
        }
        // One request is one privacy scope: a <private> opened in the title and never closed hides the rest.
        var privacy = Privacy.PrivacyFilter.NewScope();
        var title = Blank(request.Title) is { } rawTitle ? Blank(privacy.Text(rawTitle)) : null;
        var texts = inputs.Select(input => ValidateContent(input.Content, privacy)).ToList();
        var facts = privacy.List(request.Facts);
        var concepts = privacy.List(request.Concepts);
        var filesRead = privacy.List(request.FilesRead);
        var filesModified = privacy.List(request.FilesModified);
        var type = Blank(request.Type) is { } rawType ? Blank(privacy.Text(rawType)) : null;
        var results = new List<AddedMemory>(inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            var (_, kind, rawMetadata) = inputs[i];
            var text = texts[i];
            var metadata = privacy.Metadata(rawMetadata);
            var now = Now();
            var memory = new Memory
            {
                Id = _ids.Next(),
                Kind = kind,
                Scope = scope,
                Type = type,
                Title = title,
                Content = text,
                Facts = facts,
                Concepts = concepts,
                FilesRead = filesRead,
                FilesModified = filesModified,
                Metadata = metadata,
                Source = request.Source,
                Importance = ValidateImportance(request.Importance ?? 0.5),
                CreatedAt = now,
                UpdatedAt = now,
                ValidFrom = request.ValidFrom is { } validFrom ? Truncate(validFrom) : now,
                ExpiresAt = request.ExpiresAt is { } expiresAt ? ValidateExpiry(expiresAt, now) : null,
                FileStates = request.FileStates,
                Occurrences = repeated is null ? 1 : repeated.Occurrences + 1,
                ContentHash = ContentHash.Compute(kind, text),
            };
            var history = NewHistory(memory, HistoryEvent.Add, request.Actor, null, text, null);
            var (stored, inserted) = await _store.InsertAsync(memory, history, cancellationToken);
            if (!inserted && stored.IsExpiredAt(now))
            {
                // The same text, expired: it ends, and the new one takes its place.
                await SupersedeAsync(stored, memory, "expired; added again", request.Actor, cancellationToken);
                (stored, inserted) = await _store.InsertAsync(memory, history, cancellationToken);
            }
            if (repeated is not null)
            {
                if (inserted) await SupersedeAsync(repeated, stored, $"consolidated: repeated as {stored.Id}", request.Actor, cancellationToken);
                else if (stored.Id == repeated.Id) stored = await CountRepeatAsync(repeated, request.Actor, cancellationToken);
            }
            if (inserted && _embedOnWrite) await EmbedAsync(stored, cancellationToken);
            results.Add(new AddedMemory(stored, inserted ? AddOutcome.Added : AddOutcome.Duplicate));
        }
        return new AddResult(results);
    }

    /// <summary>Ends a memory's validity (Zep-style): it stays, with its history, but is no longer current.</summary>
    private async Task<Memory> SupersedeAsync(Memory old, Memory? replacement, string reason, string actor, CancellationToken cancellationToken)
    {
        var now = Now();
        var ended = old with { ValidTo = now, SupersededBy = replacement?.Id, UpdatedAt = now };
        await _store.UpdateAsync(ended, NewHistory(ended, HistoryEvent.Supersede, actor, old.Content, replacement?.Content, reason), cancellationToken);
        return ended;
    }

    /// <summary>The same text again in the same scope: the memory's count goes up, with an update in its history.</summary>
    private async Task<Memory> CountRepeatAsync(Memory memory, string actor, CancellationToken cancellationToken)
    {
        var counted = memory with { Occurrences = memory.Occurrences + 1, UpdatedAt = Now() };
        await _store.UpdateAsync(counted, NewHistory(counted, HistoryEvent.Update, actor, memory.Content, memory.Content, $"repeated ({counted.Occurrences} times)"), cancellationToken);
        return counted;
    }

    private async Task<IReadOnlyList<SearchHit>> SearchCoreAsync(SearchRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Query)) throw new EngramException("the search query is empty");
        if (request.Limit is < 1 or > 1000) throw new EngramException($"search limit {request.Limit} is out of range; use 1 to 1000");

        var pool = Math.Max(_search.MinCandidates, request.Limit * _search.CandidateMultiplier);
        request = request with { Filter = Active(request.Filter) };
        var signals = new List<HybridRanker.Signal>(2);

        var terms = QueryTerms.Extract(request.Query);
        IReadOnlyList<(Memory Memory, double Score, string? Note)> text = [];
        if (terms.Count > 0)
        {
            text = TextBoosts.Apply(request.Query, await _store.SearchTextAsync(terms, request.Filter, pool, cancellationToken), _search);
            signals.Add(new HybridRanker.Signal("text", "bm25", [.. text.Select(t => (t.Memory, t.Score))])
            {
                Notes = text.Where(t => t.Note is not null).ToDictionary(t => t.Memory.Id, t => t.Note!, StringComparer.Ordinal),
            });
        }
        if (_embeddings is not null && await VectorsExistAsync(cancellationToken))
        {
            // A provider that is down (or a model that cannot load) costs the vector signal, not the search.
            ReadOnlyMemory<float>? vector = null;
            try
            {
                vector = await _embeddings.GenerateVectorAsync(VectorQuery.Text(_search, request.Query, text), EmbeddingPurpose.Query, cancellationToken);
            }
            catch (Exception ex) when (IsProviderFailure(ex, cancellationToken))
            {
                LogQueryNotEmbedded(_log, ex.Message);
            }
            if (vector is { } v)
            {
                var dense = await _store.SearchVectorAsync(v, _embeddingModel, request.Filter, pool, cancellationToken);
                dense = await WithUnembeddedTextHitsAsync(dense, text, v, request.Limit, cancellationToken);
                signals.Add(new HybridRanker.Signal("vector", "cos", dense) { Weight = _search.VectorWeight, MessageWeight = _search.MessageVectorWeight });
            }
        }

        var hits = _ranker.Fuse(signals, request.Limit);
        if (request.RecordAccess && hits.Count > 0) Access.Record(hits.Select(h => h.Memory.Id), Now());
        return hits;
    }

    public Task<Memory?> GetAsync(string id, string tenant = MemoryScope.DefaultTenant, CancellationToken cancellationToken = default) =>
        _store.GetAsync(tenant, MemoryId.Normalize(id), cancellationToken);

    /// <summary>A fetch counts as a use of the memory (access statistics) and of the injection that offered it.</summary>
    public async Task NoteFetchedAsync(IReadOnlyCollection<string> ids, string tenant, string via, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0) return;
        var now = Now();
        var normalized = ids.Select(MemoryId.Normalize).ToList();
        Access.Record(normalized, now);
        if (_injections is not null) await _injections.MarkFetchedAsync(tenant, normalized, via, now, cancellationToken);
    }

    public IAsyncEnumerable<Memory> ListAsync(MemoryFilter filter, int? limit = null, CancellationToken cancellationToken = default)
    {
        if (limit is < 1) throw new EngramException($"list limit {limit} must be at least 1");
        return _store.ListAsync(Active(filter), limit, cancellationToken);
    }

    public Task<IReadOnlyList<SessionDigest>> ListSessionsAsync(MemoryFilter filter, int count, bool oldestFirst = false, CancellationToken cancellationToken = default)
    {
        if (count < 1) throw new EngramException($"session count {count} must be at least 1");
        return _store.ListSessionsAsync(filter, count, oldestFirst, cancellationToken);
    }

    public async Task<Memory> UpdateAsync(string id, MemoryUpdate update, string tenant = MemoryScope.DefaultTenant, CancellationToken cancellationToken = default)
    {
        var existing = await _store.GetAsync(tenant, MemoryId.Normalize(id), cancellationToken) ?? throw new MemoryNotFoundException(id);
        if (!existing.IsCurrent)
        {
            throw new EngramException($"memory {id} was superseded by {existing.SupersededBy ?? "a newer memory"}; update the current one instead");
        }

        var privacy = Privacy.PrivacyFilter.NewScope();
        var title = update.Title is null ? existing.Title : Blank(update.Title) is { } rawTitle ? Blank(privacy.Text(rawTitle)) : null;
        var content = update.Content is null ? existing.Content : ValidateContent(update.Content, privacy);
        var updated = existing with
        {
            Content = content,
            Title = title,
            Type = update.Type is null ? existing.Type : Blank(update.Type) is { } rawType ? Blank(privacy.Text(rawType)) : null,
            Metadata = update.Metadata is { } metadata ? privacy.Metadata(metadata) : existing.Metadata,
            Importance = update.Importance is { } importance ? ValidateImportance(importance) : existing.Importance,
            Facts = update.Facts is { } facts ? privacy.List(facts) : existing.Facts,
            Concepts = update.Concepts is { } concepts ? privacy.List(concepts) : existing.Concepts,
            FilesRead = update.FilesRead is { } read ? privacy.List(read) : existing.FilesRead,
            FilesModified = update.FilesModified is { } modified ? privacy.List(modified) : existing.FilesModified,
            ExpiresAt = update.ClearExpiry ? null : update.ExpiresAt is { } expiresAt ? ValidateExpiry(expiresAt, Now()) : existing.ExpiresAt,
            ContentHash = ContentHash.Compute(existing.Kind, content),
            UpdatedAt = Now(),
        };
        var history = NewHistory(updated, HistoryEvent.Update, update.Actor, existing.Content, content, update.Reason);
        await _store.UpdateAsync(updated, history, cancellationToken);
        if (content != existing.Content && _embedOnWrite) await EmbedAsync(updated, cancellationToken);
        return updated;
    }

    public async Task<bool> DeleteAsync(string id, string tenant = MemoryScope.DefaultTenant, string actor = "user", string? reason = null, CancellationToken cancellationToken = default)
    {
        var existing = await _store.GetAsync(tenant, MemoryId.Normalize(id), cancellationToken);
        if (existing is null) return false;
        var history = NewHistory(existing, HistoryEvent.Delete, actor, existing.Content, null, reason);
        // The store drops the vectors next to a deleted message (they blend its text); made on write, they are made again now.
        var neighbours = _embedOnWrite && _embeddings is not null && _search.NeighbourVectorShare > 0
            ? (await MessageNeighbours.PlanAsync(_store, [existing], cancellationToken)).Select(t => t.Memory).Where(m => m.Id != existing.Id).ToList()
            : [];
        if (!await _store.DeleteAsync(tenant, existing.Id, history, cancellationToken)) return false;
        if (neighbours.Count > 0) await EmbedBatchAsync(neighbours, cancellationToken);
        return true;
    }

    public Task<int> DeleteAllAsync(MemoryFilter filter, string actor = "user", string? reason = null, CancellationToken cancellationToken = default) =>
        _store.DeleteManyAsync(
            filter with { IncludeSuperseded = true },
            m => NewHistory(m, HistoryEvent.Delete, actor, m.Content, null, reason),
            cancellationToken);

    public Task<IReadOnlyList<HistoryEntry>> GetHistoryAsync(string id, string tenant = MemoryScope.DefaultTenant, CancellationToken cancellationToken = default) =>
        _store.GetHistoryAsync(tenant, MemoryId.Normalize(id), cancellationToken);

    public Task ResetAsync(CancellationToken cancellationToken = default) => _store.ResetAsync(cancellationToken);

    private HistoryEntry NewHistory(Memory memory, HistoryEvent kind, string actor, string? oldValue, string? newValue, string? reason) => new()
    {
        Id = _ids.Next(),
        MemoryId = memory.Id,
        Scope = memory.Scope,
        Event = kind,
        Actor = string.IsNullOrWhiteSpace(actor) ? "user" : actor,
        At = Now(),
        OldValue = oldValue,
        NewValue = newValue,
        Reason = Blank(reason) is { } text ? Privacy.PrivacyFilter.Apply(text) : null,
    };

    /// <summary>
    /// Current memories only, and only those not expired yet: superseded and expired memories leave search,
    /// lists and context. A caller asking for superseded ones (history views, export) sees expired ones too.
    /// </summary>
    private MemoryFilter Active(MemoryFilter filter) =>
        filter.IncludeSuperseded || filter.ActiveAt is not null ? filter : filter with { ActiveAt = Now() };

    /// <summary>Milliseconds are the precision every store keeps, so what add returns equals what get returns.</summary>
    private DateTimeOffset Now() => Truncate(_time.GetUtcNow());

    private static DateTimeOffset Truncate(DateTimeOffset t) => DateTimeOffset.FromUnixTimeMilliseconds(t.ToUnixTimeMilliseconds());
}
