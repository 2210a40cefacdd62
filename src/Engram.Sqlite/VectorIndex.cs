using Microsoft.Data.Sqlite;

namespace Engram.Sqlite;

/// <summary>
/// Every vector of one model, held in memory as int8 codes for a brute-force scan (100k vectors of 384
/// dimensions: 38 MB, a few milliseconds a query). Loaded on the first vector search; this process's own
/// writes are applied in place, another process's (seen through <c>vector_clock</c>) cause a reload.
/// </summary>
internal sealed class VectorIndex(string model, int dims)
{
    private readonly Lock _gate = new();
    private Snapshot _snapshot = new([], [], [], 0);
    private Dictionary<long, int> _slots = [];

    public string Model { get; } = model;
    public int Dims { get; } = dims;

    /// <summary>The <c>vector_clock</c> version the index reflects; -1 before the first load.</summary>
    public long Version { get; private set; } = -1;

    public int Count => _snapshot.Count;

    /// <summary>An index over given codes, for the scan benchmark at sizes no test store reaches.</summary>
    internal static VectorIndex FromCodes(string model, int dims, long[] seqs, sbyte[] codes)
    {
        var index = new VectorIndex(model, dims);
        var norms = new float[seqs.Length];
        for (var i = 0; i < seqs.Length; i++) norms[i] = VectorCodec.Norm(codes.AsSpan(i * dims, dims));
        index._snapshot = new Snapshot(seqs, codes, norms, seqs.Length);
        return index;
    }

    private sealed record Snapshot(long[] Seqs, sbyte[] Codes, float[] Norms, int Count);

    public static async Task<long> ReadClockAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT version FROM vector_clock WHERE id = 1";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken) ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Reloads every vector of the model when the clock moved since the last load.</summary>
    public async Task RefreshAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var clock = await ReadClockAsync(connection, null, cancellationToken);
        if (clock == Version) return;
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT memory_seq, vector FROM embeddings WHERE model = @model AND dims = @dims";
        command.Parameters.AddWithValue("@model", Model);
        command.Parameters.AddWithValue("@dims", Dims);
        var seqs = new List<long>();
        var codes = new List<sbyte>();
        var norms = new List<float>();
        var row = new sbyte[Dims];
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var blob = (byte[])reader.GetValue(1);
                if (!VectorCodec.TryCodes(blob, Dims, row)) continue;
                seqs.Add(reader.GetInt64(0));
                codes.AddRange(row);
                norms.Add(VectorCodec.Norm(row));
            }
        }
        lock (_gate)
        {
            _snapshot = new Snapshot([.. seqs], [.. codes], [.. norms], seqs.Count);
            _slots = new Dictionary<long, int>(seqs.Count);
            for (var i = 0; i < seqs.Count; i++) _slots[seqs[i]] = i;
            Version = clock;
        }
    }

    /// <summary>
    /// Applies this process's own writes (null: of another model). <paramref name="clockBefore"/> and
    /// <paramref name="clockAfter"/> bracket the writing transaction: when the index was current before it
    /// and the clock moved by our rows alone, it stays current; otherwise it reloads on the next search.
    /// </summary>
    public void ApplyBatch(IReadOnlyList<(long Seq, byte[] Blob)>? rows, long clockBefore, long clockAfter)
    {
        lock (_gate)
        {
            if (rows is null || Version != clockBefore || clockAfter != clockBefore + rows.Count)
            {
                Version = -2; // stale: reload on the next search
                return;
            }
            foreach (var (seq, blob) in rows) Put(seq, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(blob.AsSpan(4)));
            Version = clockAfter;
        }
    }

    private void Put(long seq, ReadOnlySpan<sbyte> codes)
    {
        var s = _snapshot;
        if (_slots.TryGetValue(seq, out var slot))
        {
            codes.CopyTo(s.Codes.AsSpan(slot * Dims, Dims));
            s.Norms[slot] = VectorCodec.Norm(codes);
            return;
        }
        if (s.Count == s.Seqs.Length)
        {
            var grown = Math.Max(16, s.Seqs.Length * 2);
            var seqs = new long[grown];
            var all = new sbyte[grown * Dims];
            var norms = new float[grown];
            s.Seqs.AsSpan(0, s.Count).CopyTo(seqs);
            s.Codes.AsSpan(0, s.Count * Dims).CopyTo(all);
            s.Norms.AsSpan(0, s.Count).CopyTo(norms);
            s = new Snapshot(seqs, all, norms, s.Count);
        }
        s.Seqs[s.Count] = seq;
        codes.CopyTo(s.Codes.AsSpan(s.Count * Dims, Dims));
        s.Norms[s.Count] = VectorCodec.Norm(codes);
        _slots[seq] = s.Count;
        _snapshot = s with { Count = s.Count + 1 };
    }

    /// <summary>The <paramref name="limit"/> most similar (cosine) memory seqs, best first.</summary>
    public List<(long Seq, double Similarity)> Top(ReadOnlySpan<float> query, int limit)
    {
        var s = _snapshot;
        var q = new sbyte[Dims];
        VectorCodec.TryCodes(VectorCodec.Encode(query), Dims, q);
        var qNorm = VectorCodec.Norm(q);
        var best = new PriorityQueue<long, float>(limit + 1);
        if (qNorm == 0) return [];
        for (var i = 0; i < s.Count; i++)
        {
            if (s.Norms[i] == 0) continue;
            var similarity = VectorCodec.Dot(q, s.Codes.AsSpan(i * Dims, Dims)) / (qNorm * s.Norms[i]);
            if (best.Count < limit) best.Enqueue(s.Seqs[i], similarity);
            else if (best.TryPeek(out _, out var worst) && similarity > worst) best.EnqueueDequeue(s.Seqs[i], similarity);
        }
        var result = new List<(long, double)>(best.Count);
        while (best.TryDequeue(out var seq, out var similarity)) result.Add((seq, similarity));
        result.Reverse();
        return result;
    }
}
