using System.Text;
using Engram.Core.Model;
using Engram.Core.Storage;
using Npgsql;

namespace Engram.Postgres;

public sealed partial class PostgresMemoryStore
{
    // ts_rank weights, in the order {D, C, B, A}: neighbours' context 0.2, content and extra 0.5, title 1.0:
    // the SQLite ranker's BM25 column weights (0.4, 1, 1, 2) halved.
    private const string Weights = "'{0.2, 0.2, 0.5, 1.0}'::float4[]";

    /// <summary>
    /// Full-text candidates ranked like BM25: each query term's ts_rank (which saturates with repeated
    /// occurrences and, with normalisation 1, divides by the log of the document's length) weighted by
    /// that term's inverse document frequency in the tenant, summed. The match, with the tenant and scope
    /// tokens, runs inside the GIN index; the whole filter applies in SQL.
    /// </summary>
    public async Task<IReadOnlyList<(Memory Memory, double Score)>> SearchTextAsync(IReadOnlyList<string> terms, MemoryFilter filter, int limit, CancellationToken cancellationToken = default)
    {
        var words = terms.Where(t => !string.IsNullOrWhiteSpace(t)).Select(PostgresRows.Clean).Distinct(StringComparer.Ordinal).ToArray();
        if (words.Length == 0 || limit <= 0) return [];
        var scope = PgScope.Query(filter);
        return await ReadAsync<IReadOnlyList<(Memory, double)>>(async connection =>
        {
            // Pass 1: each term as the stemmer sees it, and how many of the tenant's memories contain it.
            var queries = new List<string>();
            var frequencies = new List<long>();
            long total = 0;
            await using (var stats = Command(connection, null,
                "SELECT q::text, (SELECT count(*) FROM memories m WHERE (m.search || m.scope_search) @@ (q && @tenant_q::tsquery)), " +
                "(SELECT count(*) FROM memories WHERE tenant = @tenant) " +
                "FROM unnest(@terms) AS u(t) CROSS JOIN LATERAL plainto_tsquery('english', u.t) AS q WHERE numnode(q) > 0"))
            {
                stats.Parameters.AddWithValue("terms", words);
                stats.Parameters.AddWithValue("tenant", filter.Tenant);
                stats.Parameters.AddWithValue("tenant_q", PgScope.Query(new MemoryFilter { Tenant = filter.Tenant }));
                await using var reader = await stats.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var query = reader.GetString(0);
                    if (queries.Contains(query)) continue;
                    queries.Add(query);
                    frequencies.Add(reader.GetInt64(1));
                    total = reader.GetInt64(2);
                }
            }
            if (queries.Count == 0) return [];
            var idfs = frequencies.Select(df => Math.Log(1 + (total - df + 0.5) / (df + 0.5))).ToArray();
            var match = new StringBuilder("(");
            for (var i = 0; i < queries.Count; i++) match.Append(i == 0 ? "" : " | ").Append('(').Append(queries[i]).Append(')');
            match.Append(") & ").Append(scope);

            // Pass 2: rank the matches in scope.
            await using var command = Command(connection, null, "");
            command.CommandText =
                $"SELECT {MemoryRows.MemoryColumns}, t.score FROM (" +
                $"SELECT m.seq, (SELECT sum(w.idf * ts_rank({Weights}, m.search, w.q, 1)) FROM unnest(@queries::tsquery[], @idfs) AS w(q, idf)) AS score " +
                $"FROM memories m WHERE (m.search || m.scope_search) @@ @match::tsquery AND {PgFilter.Where(filter, command)} " +
                "ORDER BY score DESC, m.seq LIMIT @limit) t JOIN memories m ON m.seq = t.seq ORDER BY t.score DESC, m.seq";
            command.Parameters.AddWithValue("queries", queries.ToArray());
            command.Parameters.AddWithValue("idfs", idfs);
            command.Parameters.AddWithValue("match", match.ToString());
            command.Parameters.AddWithValue("limit", limit);
            var hits = new List<(Memory, double)>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken)) hits.Add((MemoryRows.ReadMemory(reader), reader.GetDouble(MemoryRows.MemoryColumnCount)));
            }
            return hits;
        }, cancellationToken);
    }

    public Task SetEmbeddingAsync(string memoryId, string model, ReadOnlyMemory<float> vector, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction,
                "INSERT INTO embeddings (memory_seq, model, dims, vector) SELECT seq, @model, @dims, @vector FROM memories WHERE id = @id " +
                "ON CONFLICT (memory_seq) DO UPDATE SET model = excluded.model, dims = excluded.dims, vector = excluded.vector");
            command.Parameters.AddWithValue("id", memoryId);
            command.Parameters.AddWithValue("model", model);
            command.Parameters.AddWithValue("dims", vector.Length);
            command.Parameters.AddWithValue("vector", vector.ToArray());
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, history: false);

    /// <summary>
    /// Cosine similarity scored in this process over the vectors in scope (a portable fallback that needs
    /// no extension): one pass keeps the best <paramref name="limit"/>, a second loads them.
    /// </summary>
    public Task<IReadOnlyList<(Memory Memory, double Similarity)>> SearchVectorAsync(ReadOnlyMemory<float> query, string model, MemoryFilter filter, int limit, CancellationToken cancellationToken = default)
    {
        if (query.Length == 0 || limit <= 0) return Task.FromResult<IReadOnlyList<(Memory, double)>>([]);
        return ReadAsync<IReadOnlyList<(Memory, double)>>(async connection =>
        {
            var best = new PriorityQueue<long, double>(limit + 1);
            await using (var scan = Command(connection, null, ""))
            {
                scan.CommandText = "SELECT e.memory_seq, e.vector FROM embeddings e JOIN memories m ON m.seq = e.memory_seq " +
                    $"WHERE e.model = @model AND e.dims = @dims AND {PgFilter.Where(filter, scan)}";
                scan.Parameters.AddWithValue("model", model);
                scan.Parameters.AddWithValue("dims", query.Length);
                await using var reader = await scan.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    var vector = reader.GetFieldValue<float[]>(1);
                    if (vector.Length != query.Length) continue;
                    var similarity = System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(query.Span, vector);
                    if (float.IsNaN(similarity)) continue;
                    if (best.Count < limit) best.Enqueue(reader.GetInt64(0), similarity);
                    else best.EnqueueDequeue(reader.GetInt64(0), similarity);
                }
            }
            if (best.Count == 0) return [];
            var scores = new Dictionary<long, double>(best.Count);
            while (best.TryDequeue(out var seq, out var similarity)) scores[seq] = similarity;
            await using var load = Command(connection, null, $"SELECT {MemoryRows.MemoryColumns}, m.seq FROM memories m WHERE m.seq = ANY(@seqs)");
            load.Parameters.AddWithValue("seqs", scores.Keys.ToArray());
            var hits = new List<(Memory, double)>(scores.Count);
            await using (var reader = await load.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken)) hits.Add((MemoryRows.ReadMemory(reader), scores[reader.GetInt64(MemoryRows.MemoryColumnCount)]));
            }
            hits.Sort((a, b) => b.Item2.CompareTo(a.Item2));
            return hits;
        }, cancellationToken);
    }

    public async Task<IReadOnlySet<string>> WithoutVectorsAsync(IReadOnlyCollection<string> ids, string model, int dimensions, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0) return new HashSet<string>();
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "");
        return await MemoryRows.WithoutVectorsAsync(command, ids, model, dimensions, cancellationToken);
    }

    public async IAsyncEnumerable<Memory> ListMissingEmbeddingsAsync(string tenant, string model, int dimensions, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null,
            $"SELECT {MemoryRows.MemoryColumns} FROM memories m LEFT JOIN embeddings e ON e.memory_seq = m.seq " +
            "WHERE m.tenant = @tenant AND m.valid_to IS NULL AND (e.memory_seq IS NULL OR e.model <> @model OR e.dims <> @dims) ORDER BY m.seq");
        command.Parameters.AddWithValue("tenant", tenant);
        command.Parameters.AddWithValue("model", model);
        command.Parameters.AddWithValue("dims", dimensions);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) yield return MemoryRows.ReadMemory(reader);
    }

    public async Task<StoreStats> GetStatsAsync(string tenant, CancellationToken cancellationToken = default)
    {
        var (pending, failed) = await CountAsync(cancellationToken);
        return await ReadAsync(async connection =>
        {
            async Task<long> Scalar(string sql)
            {
                await using var command = Command(connection, null, sql);
                command.Parameters.AddWithValue("tenant", tenant);
                return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken) ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
            }
            async Task<Dictionary<string, long>> Groups(string column)
            {
                await using var command = Command(connection, null,
                    $"SELECT {column}, count(*) FROM memories WHERE tenant = @tenant AND valid_to IS NULL GROUP BY {column} ORDER BY count(*) DESC");
                command.Parameters.AddWithValue("tenant", tenant);
                var groups = new Dictionary<string, long>(StringComparer.Ordinal);
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken)) groups[reader.GetString(0)] = reader.GetInt64(1);
                return groups;
            }
            return new StoreStats
            {
                Memories = await Scalar("SELECT count(*) FROM memories WHERE tenant = @tenant"),
                CurrentMemories = await Scalar("SELECT count(*) FROM memories WHERE tenant = @tenant AND valid_to IS NULL"),
                HistoryEntries = await Scalar("SELECT count(*) FROM history WHERE tenant = @tenant"),
                Embeddings = await Scalar("SELECT count(*) FROM embeddings e JOIN memories m ON m.seq = e.memory_seq WHERE m.tenant = @tenant"),
                ByKind = await Groups("kind"),
                ByProject = await Groups("project"),
                QueuePending = pending,
                QueueFailed = failed,
                // The whole schema's tables and indexes, all tenants: what the database holds for Engram.
                StoreBytes = await Scalar("SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c " +
                    "WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace AND @tenant IS NOT NULL"),
                Location = Location,
            };
        }, cancellationToken);
    }
}
