using System.Globalization;
using Engram.Core.Model;
using Engram.Core.Search;
using Microsoft.Extensions.AI;

namespace Engram.Core.Services;

/// <summary>Vectors: made on write (remote providers) or afterwards in batches (the built-in model, by the worker).</summary>
public sealed partial class MemoryService
{
    /// <summary>Memories embedded per model call when catching up.</summary>
    public const int EmbeddingBatch = 32;

    /// <summary>The last embedding failure (provider down, bad key, model that cannot load); memories stay searchable by text.</summary>
    public string? LastEmbeddingError { get; private set; }

    /// <summary>True when an embedding provider is configured.</summary>
    public bool HasEmbeddings => _embeddings is not null;

    /// <summary>
    /// Embeds up to <paramref name="limit"/> memories that wait for a vector, in batches; returns how many
    /// got one. The worker calls this after storing; 0 means nothing was waiting (or the provider failed:
    /// see <see cref="LastEmbeddingError"/>).
    /// </summary>
    public async Task<int> EmbedPendingAsync(int limit = EmbeddingBatch, CancellationToken cancellationToken = default)
    {
        if (_embeddings is null) return 0;
        var pending = await _store.ListPendingEmbeddingsAsync(_embeddingModel, _embeddingDimensions, limit, cancellationToken);
        if (pending.Count == 0) return 0;
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
                LastEmbeddingError = null;
                embedded += await EmbedBatchAsync(batch, cancellationToken);
                if (LastEmbeddingError is not null) throw new EngramException($"embedding stopped after {embedded} of {missing.Count} memories: {LastEmbeddingError}");
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

    private async Task<int> EmbedBatchAsync(IReadOnlyList<Memory> memories, CancellationToken cancellationToken)
    {
        if (_embeddings is null || memories.Count == 0) return 0;
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
            return memories.Count;
        }
        catch (Exception ex) when (ex is EngramException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // The memories are stored already; without vectors they are still found by their words.
            LastEmbeddingError = ex.Message;
            return 0;
        }
    }

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
