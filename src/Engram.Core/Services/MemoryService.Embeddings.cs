using System.Globalization;
using Engram.Core.Model;
using Engram.Core.Search;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Engram.Core.Services;

/// <summary>What one embedding pass did: how many memories got a vector, and why none did when it failed.</summary>
public readonly record struct EmbeddingPass(int Embedded, string? Error);

/// <summary>Vectors: made on write (remote providers) or afterwards in batches (the built-in model, by the worker).</summary>
public sealed partial class MemoryService
{
    /// <summary>Memories embedded per model call when catching up.</summary>
    public const int EmbeddingBatch = 32;

    /// <summary>True when an embedding provider is configured.</summary>
    public bool HasEmbeddings => _embeddings is not null;

    /// <summary>
    /// Embeds up to <paramref name="limit"/> memories that wait for a vector, in batches. The worker calls this
    /// after storing; it never throws for a provider failure (provider down, bad key, model that cannot load):
    /// the pass says what went wrong, and the memories stay searchable by text.
    /// </summary>
    public async Task<EmbeddingPass> EmbedPendingAsync(int limit = EmbeddingBatch, CancellationToken cancellationToken = default)
    {
        if (_embeddings is null) return default;
        var pending = await _store.ListPendingEmbeddingsAsync(_embeddingModel, _embeddingDimensions, limit, cancellationToken);
        if (pending.Count == 0) return default;
        return await EmbedBatchAsync(pending, cancellationToken);
    }

    /// <summary>
    /// Memories whose vector is missing or came from another model or size: counted (<paramref name="apply"/> false)
    /// or embedded again with the configured generator (after a change of Embeddings:Model or Dimensions).
    /// </summary>
    public async Task<(int Missing, int Embedded, string Model, int Dimensions)> ReembedAsync(string tenant, bool apply, CancellationToken cancellationToken = default)
    {
        if (_embeddings is null) throw new EngramException("no embedding provider is configured (Embeddings:Provider is none), so there is nothing to embed with");
        // One probe tells the size this model produces now.
        var probe = await _embeddings.GenerateVectorAsync("dimension probe", cancellationToken: cancellationToken);
        var missing = new List<Memory>();
        await foreach (var memory in _store.ListMissingEmbeddingsAsync(tenant, _embeddingModel, probe.Length, cancellationToken)) missing.Add(memory);
        var embedded = 0;
        if (apply)
        {
            foreach (var batch in missing.Chunk(EmbeddingBatch))
            {
                var pass = await EmbedBatchAsync(batch, cancellationToken);
                embedded += pass.Embedded;
                if (pass.Error is { } error) throw new EngramException($"embedding stopped after {embedded} of {missing.Count} memories: {error}");
            }
        }
        return (missing.Count, embedded, _embeddingModel, probe.Length);
    }

    /// <summary>
    /// The text a memory is embedded as. A message carries its date and speaker: "when did Caroline go to
    /// the support group?" then meets "(8 May 2023) Caroline: I went to a LGBTQ support group yesterday".
    /// </summary>
    public static string EmbeddingText(Memory memory)
    {
        var text = memory.Title is null ? memory.Content : memory.Title + "\n" + memory.Content;
        if (memory.Kind != MemoryKind.Message) return text;
        var speaker = memory.Metadata.GetValueOrDefault("speaker");
        var date = memory.ValidFrom.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
        return speaker is null ? $"({date}) {text}" : $"({date}) {speaker}: {text}";
    }

    private async Task EmbedAsync(Memory memory, CancellationToken cancellationToken) => await EmbedBatchAsync([memory], cancellationToken);

    private async Task<EmbeddingPass> EmbedBatchAsync(IReadOnlyList<Memory> memories, CancellationToken cancellationToken)
    {
        if (_embeddings is null || memories.Count == 0) return default;
        try
        {
            var plan = _search.NeighbourVectorShare > 0
                ? await MessageNeighbours.PlanAsync(_store, memories, cancellationToken)
                : [.. memories.Select(m => new MessageNeighbours.Target(m, []))];
            var texts = plan.SelectMany(t => t.Neighbours.Prepend(t.Memory)).Select(EmbeddingText).Distinct(StringComparer.Ordinal).ToList();
            var vectors = await _embeddings.GenerateAsync(texts, cancellationToken: cancellationToken);
            if (vectors.Count != texts.Count) throw new EngramException($"the embedding provider returned {vectors.Count} vectors for {texts.Count} texts");
            var byText = new Dictionary<string, ReadOnlyMemory<float>>(StringComparer.Ordinal);
            for (var i = 0; i < texts.Count; i++) byText[texts[i]] = vectors[i].Vector;
            await _store.SetEmbeddingsAsync([.. plan.Select(t => (t.Memory.Id, MessageNeighbours.Blend(
                byText[EmbeddingText(t.Memory)], [.. t.Neighbours.Select(n => byText[EmbeddingText(n)])], _search.NeighbourVectorShare)))],
                _embeddingModel, cancellationToken);
            _vectorsExist = true;
            EngramTelemetry.Embedded.Add(memories.Count);
            return new EmbeddingPass(memories.Count, null);
        }
        catch (Exception ex) when (IsProviderFailure(ex, cancellationToken))
        {
            // The memories are stored already; without vectors they are still found by their words.
            LogNotEmbedded(_log, memories.Count, ex.Message);
            EngramTelemetry.EmbeddingFailures.Add(memories.Count);
            return new EmbeddingPass(0, ex.Message);
        }
    }

    /// <summary>
    /// The vector ranking with the best text hits that have no vector yet (added moments ago and waiting for the worker,
    /// or stored while the provider was down) embedded now and placed where their similarity puts them. Without them a
    /// memory the words find first would lose to memories only the vectors offer, however weakly they match. Nothing is
    /// stored: the worker makes the lasting vector.
    /// </summary>
    private async Task<IReadOnlyList<(Memory Memory, double Similarity)>> WithUnembeddedTextHitsAsync(
        IReadOnlyList<(Memory Memory, double Similarity)> dense, IReadOnlyList<(Memory Memory, double Score, string? Note)> text,
        ReadOnlyMemory<float> query, int limit, CancellationToken cancellationToken)
    {
        var offered = dense.Select(d => d.Memory.Id).ToHashSet(StringComparer.Ordinal);
        // Only the hits that can make the answer, and no more than one model call embeds at once.
        var candidates = text.Take(Math.Min(limit, EmbeddingBatch)).Select(t => t.Memory).Where(m => !offered.Contains(m.Id)).ToList();
        if (candidates.Count == 0) return dense;
        var missing = await _store.WithoutVectorsAsync([.. candidates.Select(m => m.Id)], _embeddingModel, query.Length, cancellationToken);
        var unembedded = candidates.Where(m => missing.Contains(m.Id)).ToList();
        if (unembedded.Count == 0) return dense;
        try
        {
            var vectors = await _embeddings!.GenerateAsync(unembedded.Select(EmbeddingText), cancellationToken: cancellationToken);
            if (vectors.Count != unembedded.Count || vectors.Any(v => v.Vector.Length != query.Length)) return dense;
            var added = unembedded.Select((m, i) => (m, (double)System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(query.Span, vectors[i].Vector.Span)));
            // A stable sort: at equal similarity the stored vectors keep their places.
            return [.. dense.Concat(added).OrderByDescending(d => d.Item2)];
        }
        catch (Exception ex) when (IsProviderFailure(ex, cancellationToken))
        {
            LogNotEmbedded(_log, unembedded.Count, ex.Message);
            return dense;
        }
    }

    /// <summary>A provider down, a bad key or a model that cannot load: costs the vectors, never the call (a cancelled call still ends).</summary>
    private static bool IsProviderFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is EngramException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} memories could not be embedded, so they are found by their words only: {Reason}")]
    private static partial void LogNotEmbedded(ILogger logger, int count, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The query could not be embedded, so this search ranks by words only: {Reason}")]
    private static partial void LogQueryNotEmbedded(ILogger logger, string reason);

    /// <summary>
    /// Whether vectors of the model exist: until one does, a search embeds no query (a one-shot CLI search in
    /// a store the worker has not embedded yet loads no model). Once true it stays true for the process.
    /// </summary>
    private async Task<bool> VectorsExistAsync(CancellationToken cancellationToken)
    {
        if (_vectorsExist) return true;
        _vectorsExist = await _store.HasEmbeddingsAsync(_embeddingModel, cancellationToken);
        return _vectorsExist;
    }
}
