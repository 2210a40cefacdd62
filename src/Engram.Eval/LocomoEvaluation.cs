using System.Diagnostics;
using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Services;

namespace Engram.Eval;

/// <summary>
/// Runs the LoCoMo retrieval benchmark against any <see cref="IMemoryService"/>. For each conversation
/// its turns, and nothing else, are added as message memories in one scope; then each question with
/// usable evidence is searched in that scope and the retrieved memories are turned into the dialog ids
/// they came from. Questions, answers and evidence never reach the service.
/// </summary>
public static class LocomoEvaluation
{
    /// <summary>Metadata key holding a memory's dialog id(s).</summary>
    public const string DiaIdKey = "dia_id";

    /// <summary>Metadata key holding the speaker of a turn.</summary>
    public const string SpeakerKey = "speaker";

    /// <summary>
    /// Runs with a fresh service per conversation (for example one over a new database file). A service
    /// that is <see cref="IAsyncDisposable"/> or <see cref="IDisposable"/> is disposed when its conversation is done.
    /// </summary>
    public static Task<LocomoReport> RunAsync(
        LocomoDataset data,
        Func<LocomoConversation, IMemoryService> newServiceForConversation,
        LocomoOptions? options = null,
        IProgress<LocomoProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(newServiceForConversation);
        return RunCoreAsync(data, newServiceForConversation, shared: false, options, progress, cancellationToken);
    }

    /// <summary>
    /// Runs every conversation through one service, each in its own scope (user "{prefix}{sample_id}").
    /// Whatever that scope held before is deleted first, so each conversation starts from nothing.
    /// </summary>
    public static Task<LocomoReport> RunAsync(
        LocomoDataset data,
        IMemoryService service,
        LocomoOptions? options = null,
        IProgress<LocomoProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(service);
        return RunCoreAsync(data, _ => service, shared: true, options, progress, cancellationToken);
    }

    private static async Task<LocomoReport> RunCoreAsync(
        LocomoDataset data,
        Func<LocomoConversation, IMemoryService> serviceFor,
        bool shared,
        LocomoOptions? options,
        IProgress<LocomoProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        options ??= new LocomoOptions();
        options.Validate();
        var ks = LocomoScorer.ValidateKs(options.Ks);
        var indices = ConversationSelection.Resolve(options.Conversations, data.Conversations.Count);

        var results = new List<LocomoQuestionResult>();
        var conversations = new List<LocomoConversationResult>(indices.Count);
        for (var position = 0; position < indices.Count; position++)
        {
            var conversation = data.Conversations[indices[position]];
            var service = serviceFor(conversation);
            try
            {
                conversations.Add(await RunConversationAsync(service, shared, conversation, position, indices.Count, ks, options, results, progress, cancellationToken));
            }
            finally
            {
                if (!shared)
                {
                    if (service is IAsyncDisposable asyncDisposable) await asyncDisposable.DisposeAsync();
                    else if (service is IDisposable disposable) disposable.Dispose();
                }
            }
        }
        return LocomoReport.Create(data.Source, ks, results, conversations, options.Splits);
    }

    /// <summary>The scope a conversation's turns are stored in (its session id aside).</summary>
    public static MemoryScope ScopeOf(LocomoConversation conversation, LocomoOptions options) => new()
    {
        Tenant = options.Tenant,
        UserId = options.UserIdPrefix + conversation.SampleId,
    };

    private static async Task<LocomoConversationResult> RunConversationAsync(
        IMemoryService service,
        bool clearScopeFirst,
        LocomoConversation conversation,
        int position,
        int count,
        IReadOnlyList<int> ks,
        LocomoOptions options,
        List<LocomoQuestionResult> results,
        IProgress<LocomoProgress>? progress,
        CancellationToken cancellationToken)
    {
        var scope = ScopeOf(conversation, options);
        var filter = MemoryFilter.For(scope);
        if (clearScopeFirst)
        {
            await service.DeleteAllAsync(filter, actor: "locomo", reason: "fresh scope for a LoCoMo run", cancellationToken: cancellationToken);
        }

        // Load: one message memory per turn. The dialog ids each memory came from are remembered here,
        // so a memory made from several turns (an identical repeat, or a store that merges) yields them all.
        var turns = conversation.TurnCount;
        var idsByMemory = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var loadTimer = Stopwatch.StartNew();
        var loaded = 0;
        progress?.Report(new LocomoProgress(position, count, conversation.SampleId, LocomoPhase.Loading, 0, turns));
        foreach (var (session, turn) in conversation.Turns)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var added = await service.AddAsync(RequestFor(scope, session, turn), cancellationToken);
            foreach (var memory in added.Results)
            {
                if (!idsByMemory.TryGetValue(memory.Memory.Id, out var ids))
                {
                    ids = [];
                    idsByMemory[memory.Memory.Id] = ids;
                }
                if (!ids.Contains(turn.DiaId, StringComparer.Ordinal)) ids.Add(turn.DiaId);
            }
            loaded++;
            if (loaded % 50 == 0 || loaded == turns)
            {
                progress?.Report(new LocomoProgress(position, count, conversation.SampleId, LocomoPhase.Loading, loaded, turns));
            }
        }
        // Vectors are made after storing, as the worker would; a store without a generator has none to make.
        if (service is MemoryService memoryService)
        {
            while ((await memoryService.EmbedPendingAsync(256, cancellationToken)).Embedded > 0) { }
        }
        loadTimer.Stop();

        // Search: every question with usable evidence, up to the limit.
        var scored = conversation.Questions.Where(q => q.Evidence.Count > 0).ToList();
        var skipped = conversation.Questions.Count - scored.Count;
        if (options.Limit is { } limit && scored.Count > limit) scored = scored.GetRange(0, limit);
        var maxK = ks[^1];
        var first = results.Count;
        progress?.Report(new LocomoProgress(position, count, conversation.SampleId, LocomoPhase.Searching, 0, scored.Count));
        for (var i = 0; i < scored.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var question = scored[i];
            var (retrieved, latency) = await RetrieveAsync(service, question.Question, filter, maxK, idsByMemory, cancellationToken);
            results.Add(new LocomoQuestionResult(conversation.Index, conversation.SampleId, question.Index, question.Category, question.Evidence, retrieved, latency));
            if ((i + 1) % 25 == 0 || i + 1 == scored.Count)
            {
                progress?.Report(new LocomoProgress(position, count, conversation.SampleId, LocomoPhase.Searching, i + 1, scored.Count));
            }
        }

        var scorer = new LocomoScorer(ks);
        for (var r = first; r < results.Count; r++) scorer.Add(results[r].Category, results[r].Evidence, results[r].Retrieved);
        progress?.Report(new LocomoProgress(position, count, conversation.SampleId, LocomoPhase.Done, scored.Count, scored.Count));
        return new LocomoConversationResult(conversation.Index, conversation.SampleId, turns, idsByMemory.Count, skipped, loadTimer.Elapsed, scorer.Overall(conversation.SampleId));
    }

    private static AddMemoryRequest RequestFor(MemoryScope scope, LocomoSession session, LocomoTurn turn) => new()
    {
        Content = turn.MemoryText,
        Kind = MemoryKind.Message,
        Scope = scope with { SessionId = session.Key },
        Metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SpeakerKey] = turn.Speaker,
            [DiaIdKey] = turn.DiaId,
        },
        ValidFrom = session.Date,
        Source = new MemorySource { ExternalId = turn.DiaId },
        Actor = "locomo",
    };

    /// <summary>
    /// Searches until the hits name <paramref name="maxK"/> distinct dialog ids or the service has no more
    /// (the limit starts at k and doubles, up to the service maximum of 1000).
    /// </summary>
    private static async Task<(IReadOnlyList<string> Retrieved, double LatencyMs)> RetrieveAsync(
        IMemoryService service,
        string query,
        MemoryFilter filter,
        int maxK,
        IReadOnlyDictionary<string, List<string>> idsByMemory,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(query)) return ([], 0);
        const int MaxLimit = 1000;
        var limit = Math.Min(maxK, MaxLimit);
        var elapsed = TimeSpan.Zero;
        while (true)
        {
            var request = new SearchRequest { Query = query, Filter = filter, Limit = limit, RecordAccess = false };
            var timer = Stopwatch.StartNew();
            var hits = await service.SearchAsync(request, cancellationToken);
            timer.Stop();
            elapsed += timer.Elapsed;

            var ranked = hits.SelectMany(h => DiaIdsOf(h.Memory, idsByMemory));
            var top = LocomoScorer.TopDistinct(ranked, maxK);
            if (top.Count >= maxK || hits.Count < limit || limit >= MaxLimit) return (top, elapsed.TotalMilliseconds);
            limit = Math.Min(limit * 2, MaxLimit);
        }
    }

    /// <summary>
    /// The dialog ids a memory came from: those recorded when the turns were added, else its "dia_id"
    /// metadata (one id, or several separated by commas, semicolons or spaces), else its external id.
    /// </summary>
    internal static IEnumerable<string> DiaIdsOf(Memory memory, IReadOnlyDictionary<string, List<string>> idsByMemory)
    {
        if (idsByMemory.TryGetValue(memory.Id, out var known)) return known;
        if (memory.Metadata.TryGetValue(DiaIdKey, out var meta) && !string.IsNullOrWhiteSpace(meta))
        {
            return meta.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
        return memory.Source.ExternalId is { Length: > 0 } external ? [external] : [];
    }
}
