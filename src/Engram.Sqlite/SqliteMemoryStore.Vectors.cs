using Engram.Core.Model;
using Engram.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Engram.Sqlite;

/// <summary>Vector storage and search: int8 blobs in the embeddings table, searched through an in-memory <see cref="VectorIndex"/>.</summary>
public sealed partial class SqliteMemoryStore
{
    public Task SetEmbeddingAsync(string memoryId, string model, ReadOnlyMemory<float> vector, CancellationToken cancellationToken = default) =>
        SetEmbeddingsAsync([(memoryId, vector)], model, cancellationToken);

    /// <summary>Writes a batch of vectors in one transaction (int8, see <see cref="VectorCodec"/>) and keeps this process's index current.</summary>
    public async Task SetEmbeddingsAsync(IReadOnlyList<(string MemoryId, ReadOnlyMemory<float> Vector)> vectors, string model, CancellationToken cancellationToken = default)
    {
        if (vectors.Count == 0) return;
        var blobs = vectors.Select(v => VectorCodec.Encode(v.Vector.Span)).ToArray();
        // The index searched now, if any: it learns each row's scope from the same transaction.
        var live = _vectorIndex;
        var (written, clockBefore, clockAfter) = await WriteAsync(async (connection, transaction) =>
        {
            var before = await VectorIndex.ReadClockAsync(connection, transaction, cancellationToken);
            using var command = Command(connection, transaction,
                "INSERT INTO embeddings (memory_seq, model, dims, vector) SELECT seq, @model, @dims, @vector FROM memories WHERE id = @id " +
                "ON CONFLICT (memory_seq) DO UPDATE SET model = excluded.model, dims = excluded.dims, vector = excluded.vector");
            using var find = Command(connection, transaction, $"SELECT m.seq, {VectorIndex.RowColumns} FROM memories m WHERE m.id = @id");
            var id = command.Parameters.Add("@id", SqliteType.Text);
            var dims = command.Parameters.Add("@dims", SqliteType.Integer);
            var blob = command.Parameters.Add("@vector", SqliteType.Blob);
            command.Parameters.AddWithValue("@model", model);
            var findId = find.Parameters.Add("@id", SqliteType.Text);
            var seqs = new List<(int Index, long Seq, VectorRow Row)>(vectors.Count);
            for (var i = 0; i < vectors.Count; i++)
            {
                id.Value = vectors[i].MemoryId;
                dims.Value = vectors[i].Vector.Length;
                blob.Value = blobs[i];
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 0) continue;
                findId.Value = vectors[i].MemoryId;
                await using var reader = await find.ExecuteReaderAsync(cancellationToken);
                if (await reader.ReadAsync(cancellationToken)) seqs.Add((i, reader.GetInt64(0), live?.ReadRow(reader, 1) ?? default));
            }
            return (seqs, before, await VectorIndex.ReadClockAsync(connection, transaction, cancellationToken));
        }, cancellationToken);
        if (live is null) return;
        // Our own rows moved the clock by one each; any other step means another process wrote too.
        var matches = live.Model == model && written.All(w => vectors[w.Index].Vector.Length == live.Dims);
        live.ApplyBatch(matches ? written.Select(w => (w.Seq, blobs[w.Index], w.Row)).ToList() : null, clockBefore, clockAfter);
    }

    /// <summary>Vectors held in memory for the model searched last (one model is in use at a time).</summary>
    private VectorIndex? _vectorIndex;

    public async Task<IReadOnlyList<(Memory Memory, double Similarity)>> SearchVectorAsync(ReadOnlyMemory<float> query, string model, MemoryFilter filter, int limit, CancellationToken cancellationToken = default)
    {
        if (query.Length == 0 || limit <= 0) return [];
        await using var connection = await OpenAsync(cancellationToken);
        var index = _vectorIndex;
        if (index is null || index.Model != model || index.Dims != query.Length)
        {
            index = new VectorIndex(model, query.Length);
            _vectorIndex = index;
        }
        await index.RefreshAsync(connection, cancellationToken);

        // The scan keeps only rows of the filter's tenant, scope, kinds and time range, and rows that may hold its
        // metadata; SQL then checks what the index cannot know (superseded, metadata for sure) on the winners,
        // widening while too few pass.
        var scope = index.ScopeOf(filter);
        var exactInMemory = filter.IncludeSuperseded && filter.Metadata.Count == 0;
        var take = exactInMemory ? limit : limit + Math.Max(16, limit / 4);
        while (true)
        {
            var top = index.Top(query.Span, take, scope);
            var chosen = top;
            if (!exactInMemory)
            {
                var passing = await PassingAsync(connection, top, filter, cancellationToken);
                chosen = [.. top.Where(t => passing.Contains(t.Seq)).Take(limit)];
            }
            if (chosen.Count == limit || top.Count < take) return await LoadAsync(connection, chosen, filter, cancellationToken);
            take *= 4;
            if (take > index.Count / 4)
            {
                var scanned = await LoadAsync(connection, await ScanAsync(connection, query, model, filter, limit, cancellationToken), filter, cancellationToken);
                return scanned.Count > limit ? scanned.GetRange(0, limit) : scanned;
            }
        }
    }

    /// <summary>Which of the given seqs pass the filter: a check on ids alone, before any row is read whole.</summary>
    private static async Task<HashSet<long>> PassingAsync(SqliteConnection connection, List<(long Seq, double Similarity)> ranked, MemoryFilter filter, CancellationToken cancellationToken)
    {
        var passing = new HashSet<long>();
        if (ranked.Count == 0) return passing;
        using var check = connection.CreateCommand();
        check.CommandText = $"SELECT m.seq FROM {SeqLookup.From} WHERE {SqliteFilter.Where(filter, check)}";
        SeqLookup.Bind(check, ranked.Select(r => r.Seq));
        await using var reader = await check.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) passing.Add(reader.GetInt64(0));
        return passing;
    }

    /// <summary>Scores every vector of the model that passes the filter, reading them from the file.</summary>
    private static async Task<List<(long, double)>> ScanAsync(SqliteConnection connection, ReadOnlyMemory<float> query, string model, MemoryFilter filter, int limit, CancellationToken cancellationToken)
    {
        var best = new PriorityQueue<long, double>(limit + 1);
        using var scan = connection.CreateCommand();
        scan.CommandText = $"SELECT e.memory_seq, e.vector FROM embeddings e JOIN memories m ON m.seq = e.memory_seq " +
            $"WHERE e.model = @model AND e.dims = @dims AND {SqliteFilter.Where(filter, scan)}";
        scan.Parameters.AddWithValue("@model", model);
        scan.Parameters.AddWithValue("@dims", query.Length);
        var q = new sbyte[query.Length];
        VectorCodec.TryCodes(VectorCodec.Encode(query.Span), query.Length, q);
        var qNorm = VectorCodec.Norm(q);
        var row = new sbyte[query.Length];
        await using var reader = await scan.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!VectorCodec.TryCodes((byte[])reader.GetValue(1), query.Length, row)) continue;
            var norm = VectorCodec.Norm(row);
            if (norm == 0 || qNorm == 0) continue;
            double similarity = VectorCodec.Dot(q, row) / (qNorm * norm);
            if (best.Count < limit) best.Enqueue(reader.GetInt64(0), similarity);
            else best.EnqueueDequeue(reader.GetInt64(0), similarity);
        }
        var result = new List<(long, double)>(best.Count);
        while (best.TryDequeue(out var seq, out var similarity)) result.Add((seq, similarity));
        return result;
    }

    /// <summary>The memories of the given seqs that pass the filter, most similar first.</summary>
    private static async Task<List<(Memory, double)>> LoadAsync(SqliteConnection connection, List<(long Seq, double Similarity)> ranked, MemoryFilter filter, CancellationToken cancellationToken)
    {
        if (ranked.Count == 0) return [];
        var scores = new Dictionary<long, double>(ranked.Count);
        foreach (var (seq, similarity) in ranked) scores[seq] = similarity;
        using var load = connection.CreateCommand();
        load.CommandText = $"SELECT {MemoryRows.MemoryColumns}, m.seq FROM {SeqLookup.From} WHERE {SqliteFilter.Where(filter, load)}";
        SeqLookup.Bind(load, scores.Keys);
        var hits = new List<(Memory, double)>(scores.Count);
        await using (var reader = await load.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                hits.Add((MemoryRows.ReadMemory(reader), scores[reader.GetInt64(MemoryRows.MemoryColumnCount)]));
            }
        }
        hits.Sort((a, b) => b.Item2.CompareTo(a.Item2));
        return hits;
    }
}
