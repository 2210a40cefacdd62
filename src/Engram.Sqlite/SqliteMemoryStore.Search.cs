using System.Runtime.InteropServices;
using System.Text;
using Engram.Core.Model;
using Engram.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Engram.Sqlite;

public sealed partial class SqliteMemoryStore
{
    // BM25 column weights: title, content, search_extra (facts, concepts, files, speaker, base forms),
    // search_context (neighbours up to two places away), scope_tokens (unranked). FTS5 normalises by the
    // length of the whole row, so every indexed column shifts ranking, even at weight 0: keep them lean.
    private const string Bm25 = "bm25(memories_fts, 2.0, 1.0, 1.0, 0.4, 0.0)";

    public async Task<IReadOnlyList<(Memory Memory, double Score)>> SearchTextAsync(IReadOnlyList<string> terms, MemoryFilter filter, int limit, CancellationToken cancellationToken = default)
    {
        var match = MatchExpression(terms);
        if (match.Length == 0) return [];
        // Scoped searches narrow inside the index, before ranking; the SQL filter below still applies in full.
        var scope = ScopeTokens.Condition(filter);
        if (scope.Length > 0) match = $"({match}) AND {scope}";
        await using var connection = await OpenAsync(cancellationToken);
        try
        {
            if (scope.Length > 0 && filter.Kinds.Count == 0 && filter.Since is null && filter.Until is null && filter.Metadata.Count == 0)
            {
                var ranked = await RankInIndexAsync(connection, match, filter, limit, cancellationToken);
                if (ranked is not null) return ranked;
            }
            return await RankWithFilterAsync(connection, match, filter, limit, cancellationToken);
        }
        catch (SqliteException ex)
        {
            throw SqliteErrors.Translate(ex, Path);
        }
    }

    /// <summary>
    /// Ranks in the full-text index alone (the scope is in the match), then loads the winners and checks
    /// them against the whole filter (tenant, superseded). Joining every matching row to the memories
    /// table before ranking cost about 40% of a search at 100k memories. Null when too many winners
    /// failed the check to be sure of the top <paramref name="limit"/>: the caller ranks the slow way.
    /// </summary>
    private static async Task<List<(Memory, double)>?> RankInIndexAsync(SqliteConnection connection, string match, MemoryFilter filter, int limit, CancellationToken cancellationToken)
    {
        var take = limit + Math.Max(16, limit / 4);
        using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT {MemoryRows.MemoryColumns}, t.score FROM " +
            $"(SELECT rowid AS seq, -{Bm25} AS score FROM memories_fts WHERE memories_fts MATCH @match ORDER BY score DESC LIMIT @take) t " +
            $"LEFT JOIN memories m ON m.seq = t.seq AND {SqliteFilter.Where(filter, command)} ORDER BY t.score DESC";
        command.Parameters.AddWithValue("@match", match);
        command.Parameters.AddWithValue("@take", take);
        var hits = new List<(Memory, double)>(limit);
        var ranked = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ranked++;
            if (reader.IsDBNull(0) || hits.Count == limit) continue;
            hits.Add((MemoryRows.ReadMemory(reader), reader.GetDouble(MemoryRows.MemoryColumnCount)));
        }
        // Every row the filter turned away ranked above anything the index did not return, so the answer
        // is exact when enough passed, or when the index had no more rows to give.
        return hits.Count == limit || ranked < take ? hits : null;
    }

    private static async Task<List<(Memory, double)>> RankWithFilterAsync(SqliteConnection connection, string match, MemoryFilter filter, int limit, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText =
            $"SELECT {MemoryRows.MemoryColumns}, -{Bm25} AS score FROM memories_fts " +
            "JOIN memories m ON m.seq = memories_fts.rowid " +
            $"WHERE memories_fts MATCH @match AND {SqliteFilter.Where(filter, command)} " +
            $"ORDER BY {Bm25} LIMIT @limit";
        command.Parameters.AddWithValue("@match", match);
        command.Parameters.AddWithValue("@limit", limit);
        var hits = new List<(Memory, double)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            hits.Add((MemoryRows.ReadMemory(reader), reader.GetDouble(MemoryRows.MemoryColumnCount)));
        }
        return hits;
    }

    /// <summary>
    /// "a" OR "b" OR ...: every term is a quoted FTS5 string, so quotes, *, -, :, parentheses and
    /// NEAR in the user's text are matched as words (or dropped), never parsed as syntax.
    /// </summary>
    internal static string MatchExpression(IReadOnlyList<string> terms)
    {
        var sb = new StringBuilder();
        foreach (var term in terms)
        {
            if (string.IsNullOrWhiteSpace(term)) continue;
            if (sb.Length > 0) sb.Append(" OR ");
            sb.Append('"').Append(term.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }
        return sb.ToString();
    }

    public Task SetEmbeddingAsync(string memoryId, string model, ReadOnlyMemory<float> vector, CancellationToken cancellationToken = default) =>
        SetEmbeddingsAsync([(memoryId, vector)], model, cancellationToken);

    /// <summary>Writes a batch of vectors in one transaction (int8, see <see cref="VectorCodec"/>) and keeps this process's index current.</summary>
    public async Task SetEmbeddingsAsync(IReadOnlyList<(string MemoryId, ReadOnlyMemory<float> Vector)> vectors, string model, CancellationToken cancellationToken = default)
    {
        if (vectors.Count == 0) return;
        var blobs = vectors.Select(v => VectorCodec.Encode(v.Vector.Span)).ToArray();
        var (written, clockBefore, clockAfter) = await WriteAsync(async (connection, transaction) =>
        {
            var before = await VectorIndex.ReadClockAsync(connection, transaction, cancellationToken);
            using var command = Command(connection, transaction,
                "INSERT INTO embeddings (memory_seq, model, dims, vector) SELECT seq, @model, @dims, @vector FROM memories WHERE id = @id " +
                "ON CONFLICT (memory_seq) DO UPDATE SET model = excluded.model, dims = excluded.dims, vector = excluded.vector");
            using var find = Command(connection, transaction, "SELECT seq FROM memories WHERE id = @id");
            var id = command.Parameters.Add("@id", SqliteType.Text);
            var dims = command.Parameters.Add("@dims", SqliteType.Integer);
            var blob = command.Parameters.Add("@vector", SqliteType.Blob);
            command.Parameters.AddWithValue("@model", model);
            var findId = find.Parameters.Add("@id", SqliteType.Text);
            var seqs = new List<(int Index, long Seq)>(vectors.Count);
            for (var i = 0; i < vectors.Count; i++)
            {
                id.Value = vectors[i].MemoryId;
                dims.Value = vectors[i].Vector.Length;
                blob.Value = blobs[i];
                if (await command.ExecuteNonQueryAsync(cancellationToken) == 0) continue;
                findId.Value = vectors[i].MemoryId;
                seqs.Add((i, Convert.ToInt64(await find.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture)));
            }
            return (seqs, before, await VectorIndex.ReadClockAsync(connection, transaction, cancellationToken));
        }, cancellationToken);
        if (_vectorIndex is not { } index) return;
        // Our own rows moved the clock by one each; any other step means another process wrote too.
        var matches = index.Model == model && written.All(w => vectors[w.Index].Vector.Length == index.Dims);
        index.ApplyBatch(matches ? written.Select(w => (w.Seq, blobs[w.Index])).ToList() : null, clockBefore, clockAfter);
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

        // The index spans every tenant and scope: take more than asked, keep those the filter lets through,
        // and widen while too few pass. A scope holding a small share of the store is ranked in SQL instead.
        var take = Math.Max(limit * 4, 200);
        while (true)
        {
            var top = index.Top(query.Span, take);
            var passing = await PassingAsync(connection, top, filter, cancellationToken);
            var chosen = top.Where(t => passing.Contains(t.Seq)).Take(limit).ToList();
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
        check.CommandText = $"SELECT m.seq FROM memories m WHERE m.seq IN ({string.Join(", ", ranked.Select(r => r.Seq))}) AND {SqliteFilter.Where(filter, check)}";
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
        load.CommandText = $"SELECT {MemoryRows.MemoryColumns}, m.seq FROM memories m WHERE m.seq IN ({string.Join(", ", scores.Keys)}) AND {SqliteFilter.Where(filter, load)}";
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

    public async IAsyncEnumerable<Memory> ListMissingEmbeddingsAsync(string tenant, string model, int dimensions, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {MemoryRows.MemoryColumns} FROM memories m LEFT JOIN embeddings e ON e.memory_seq = m.seq " +
            "WHERE m.tenant = @tenant AND m.valid_to IS NULL AND (e.memory_seq IS NULL OR e.model <> @model OR e.dims <> @dims) ORDER BY m.seq";
        command.Parameters.AddWithValue("@tenant", tenant);
        command.Parameters.AddWithValue("@model", model);
        command.Parameters.AddWithValue("@dims", dimensions);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) yield return MemoryRows.ReadMemory(reader);
    }

    public async Task<IReadOnlyList<Memory>> ListPendingEmbeddingsAsync(string model, int dimensions, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {MemoryRows.MemoryColumns} FROM memories m WHERE m.vector_pending = 1 AND m.valid_to IS NULL ORDER BY m.seq LIMIT @limit";
        command.Parameters.AddWithValue("@limit", limit);
        var pending = new List<Memory>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) pending.Add(MemoryRows.ReadMemory(reader));
        return pending;
    }

    public async Task<bool> HasEmbeddingsAsync(string model, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT EXISTS (SELECT 1 FROM embeddings WHERE model = @model)";
        command.Parameters.AddWithValue("@model", model);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 1;
    }

    public async Task<StoreStats> GetStatsAsync(string tenant, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        async Task<long> Scalar(string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("@tenant", tenant);
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken) ?? 0L);
        }
        async Task<Dictionary<string, long>> Groups(string column)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {column}, count(*) FROM memories WHERE tenant = @tenant AND valid_to IS NULL GROUP BY {column} ORDER BY count(*) DESC";
            command.Parameters.AddWithValue("@tenant", tenant);
            var groups = new Dictionary<string, long>(StringComparer.Ordinal);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) groups[reader.GetString(0)] = reader.GetInt64(1);
            return groups;
        }

        var (pending, failed) = await CountAsync(cancellationToken);
        long bytes = 0;
        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm" })
        {
            if (File.Exists(file)) bytes += new FileInfo(file).Length;
        }
        return new StoreStats
        {
            Memories = await Scalar("SELECT count(*) FROM memories WHERE tenant = @tenant"),
            CurrentMemories = await Scalar("SELECT count(*) FROM memories WHERE tenant = @tenant AND valid_to IS NULL"),
            HistoryEntries = await Scalar("SELECT count(*) FROM history WHERE tenant = @tenant"),
            Embeddings = await Scalar("SELECT count(*) FROM embeddings e JOIN memories m ON m.seq = e.memory_seq WHERE m.tenant = @tenant"),
            PendingEmbeddings = await Scalar("SELECT count(*) FROM memories WHERE tenant = @tenant AND vector_pending = 1 AND valid_to IS NULL"),
            ByKind = await Groups("kind"),
            ByProject = await Groups("project"),
            QueuePending = pending,
            QueueFailed = failed,
            StoreBytes = bytes,
            Location = Path,
        };
    }
}
