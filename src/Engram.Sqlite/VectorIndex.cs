using Microsoft.Data.Sqlite;

namespace Engram.Sqlite;

/// <summary>
/// Every vector of one model, held in memory as int8 codes and sign bits, with each memory's fixed scope
/// fields (<see cref="VectorRow"/>), for a brute-force scan that skips rows outside the filter (100k vectors
/// of 384 dimensions: 43 MB). Loaded on the first vector search; this process's own writes are applied in
/// place, another process's (seen through <c>vector_clock</c>) cause a reload.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "SemaphoreSlim holds no OS handle unless AvailableWaitHandle is read, which it never is here")]
internal sealed class VectorIndex(string model, int dims)
{
    /// <summary>
    /// Above this many vectors a scan first ranks by sign bits (popcount, 48 bytes a vector) and rescores
    /// only the best with the int8 codes: approximate, so stores of the sizes LoCoMo and the recall set
    /// use are always scanned exactly.
    /// </summary>
    internal int BinaryFirstPassAbove { get; init; } = 250_000;

    /// <summary>Below this many vectors one thread scans faster than two can start.</summary>
    private const int ParallelAbove = 20_000;

    private readonly Lock _gate = new();
    private readonly VectorNames _names = new();
    private readonly VectorNames _kinds = new();
    private readonly int _words = (dims + 63) / 64;
    private State _state = new();

    public string Model { get; } = model;
    public int Dims { get; } = dims;

    /// <summary>The <c>vector_clock</c> version the index reflects; -1 before the first load.</summary>
    public long Version { get; private set; } = -1;

    public int Count => _state.Snapshot.Count;

    private sealed record Snapshot(long[] Seqs, sbyte[] Codes, float[] Norms, ulong[] Bits, VectorRow[] Rows, int Count);

    /// <summary>The arrays searched (replaced whole when they grow) and where each seq sits in them.</summary>
    private sealed class State
    {
        public Snapshot Snapshot { get; set; } = new([], [], [], [], [], 0);
        public Dictionary<long, int> Slots { get; } = [];
    }

    /// <summary>The columns <see cref="ReadRow"/> reads, from the memories table (alias m).</summary>
    public const string RowColumns = "m.tenant, m.user_id, m.agent_id, m.project, m.session_id, m.kind, m.valid_from, m.metadata";

    /// <summary>An index over given codes in one scope, for the scan benchmark at sizes no test store reaches.</summary>
    internal static VectorIndex FromCodes(string model, int dims, long[] seqs, sbyte[] codes, Func<int, (string User, string Kind)> scopeOf, int binaryFirstPassAbove)
    {
        var index = new VectorIndex(model, dims) { BinaryFirstPassAbove = binaryFirstPassAbove };
        lock (index._gate)
        {
            for (var i = 0; i < seqs.Length; i++)
            {
                var (user, kind) = scopeOf(i);
                index.Put(index._state, seqs[i], codes.AsSpan(i * dims, dims), index.Row(Core.Model.MemoryScope.DefaultTenant, user, "", "", "", kind, 0, MetadataBits.Any));
            }
        }
        return index;
    }

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
        // One load at a time: a search arriving while another loads (a worker's warm-up) waits for it rather than
        // reading every vector a second time beside it.
        await _loading.WaitAsync(cancellationToken);
        try
        {
            clock = await ReadClockAsync(connection, null, cancellationToken);
            if (clock != Version) await LoadAsync(connection, clock, cancellationToken);
        }
        finally
        {
            _loading.Release();
        }
    }

    private readonly SemaphoreSlim _loading = new(1, 1);

    private async Task LoadAsync(SqliteConnection connection, long clock, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT e.memory_seq, e.vector, {RowColumns} FROM embeddings e JOIN memories m ON m.seq = e.memory_seq " +
            "WHERE e.model = @model AND e.dims = @dims";
        command.Parameters.AddWithValue("@model", Model);
        command.Parameters.AddWithValue("@dims", Dims);
        var row = new sbyte[Dims];
        // Built aside and swapped in whole, so searches meanwhile see the previous index, never half of one.
        var loaded = new State();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (VectorCodec.TryCodes((byte[])reader.GetValue(1), Dims, row)) Put(loaded, reader.GetInt64(0), row, ReadRow(reader, 2));
            }
        }
        lock (_gate)
        {
            _state = loaded;
            Version = clock;
        }
    }

    /// <summary>The scan fields of a memory (<see cref="VectorRow"/>) from <see cref="RowColumns"/>, starting at column <paramref name="at"/>.</summary>
    public VectorRow ReadRow(SqliteDataReader reader, int at)
    {
        lock (_gate)
        {
            return Row(reader.GetString(at), reader.GetString(at + 1), reader.GetString(at + 2), reader.GetString(at + 3),
                reader.GetString(at + 4), reader.GetString(at + 5), reader.GetInt64(at + 6), Metadata(reader.IsDBNull(at + 7) ? "" : reader.GetString(at + 7)));
        }
    }

    /// <summary>Metadata bits of JSON texts seen, since most memories share a few (the same tool, none at all).</summary>
    private readonly Dictionary<string, ulong> _metadataBits = new(StringComparer.Ordinal);

    private ulong Metadata(string json)
    {
        if (_metadataBits.TryGetValue(json, out var bits)) return bits;
        bits = MetadataBits.OfJson(json);
        if (_metadataBits.Count < 4096) _metadataBits[json] = bits;
        return bits;
    }

    private VectorRow Row(string tenant, string user, string agent, string project, string session, string kind, long validFrom, ulong metadata) =>
        new(_names.Intern(tenant), _names.Intern(user), _names.Intern(agent), _names.Intern(project), _names.Intern(session), _kinds.Intern(kind), validFrom, metadata);

    /// <summary>
    /// Applies this process's own writes (null: of another model). <paramref name="clockBefore"/> and
    /// <paramref name="clockAfter"/> bracket the writing transaction: when the index was current before it
    /// and the clock moved by our rows alone, it stays current; otherwise it reloads on the next search.
    /// </summary>
    public void ApplyBatch(IReadOnlyList<(long Seq, byte[] Blob, VectorRow Row)>? rows, long clockBefore, long clockAfter)
    {
        lock (_gate)
        {
            if (rows is null || Version != clockBefore || clockAfter != clockBefore + rows.Count)
            {
                Version = -2; // stale: reload on the next search
                return;
            }
            foreach (var (seq, blob, row) in rows) Put(_state, seq, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, sbyte>(blob.AsSpan(4)), row);
            Version = clockAfter;
        }
    }

    private void Put(State state, long seq, ReadOnlySpan<sbyte> codes, VectorRow row)
    {
        var s = state.Snapshot;
        if (!state.Slots.TryGetValue(seq, out var slot))
        {
            if (s.Count == s.Seqs.Length) s = Grow(s);
            slot = s.Count;
            state.Slots[seq] = slot;
            s = s with { Count = s.Count + 1 };
        }
        s.Seqs[slot] = seq;
        codes.CopyTo(s.Codes.AsSpan(slot * Dims, Dims));
        s.Norms[slot] = VectorCodec.Norm(codes);
        VectorCodec.SignBits(codes, s.Bits.AsSpan(slot * _words, _words));
        s.Rows[slot] = row;
        state.Snapshot = s;
    }

    private Snapshot Grow(Snapshot s)
    {
        var grown = Math.Max(1024, s.Seqs.Length * 2);
        var seqs = new long[grown];
        var codes = new sbyte[grown * Dims];
        var norms = new float[grown];
        var bits = new ulong[grown * _words];
        var rows = new VectorRow[grown];
        s.Seqs.AsSpan(0, s.Count).CopyTo(seqs);
        s.Codes.AsSpan(0, s.Count * Dims).CopyTo(codes);
        s.Norms.AsSpan(0, s.Count).CopyTo(norms);
        s.Bits.AsSpan(0, s.Count * _words).CopyTo(bits);
        s.Rows.AsSpan(0, s.Count).CopyTo(rows);
        return new Snapshot(seqs, codes, norms, bits, rows, s.Count);
    }

    /// <summary>The scope part of a filter in this index's terms.</summary>
    public VectorScope ScopeOf(Core.Model.MemoryFilter filter)
    {
        lock (_gate) return VectorScope.Of(filter, _names, _kinds);
    }

    /// <summary>
    /// The <paramref name="limit"/> most similar (cosine) memory seqs among the rows the scope admits,
    /// best first: exact on int8 codes, or sign bits first in a store above <see cref="BinaryFirstPassAbove"/>.
    /// </summary>
    public List<(long Seq, double Similarity)> Top(ReadOnlySpan<float> query, int limit, VectorScope scope)
    {
        var s = _state.Snapshot;
        var q = new sbyte[Dims];
        VectorCodec.TryCodes(VectorCodec.Encode(query), Dims, q);
        var qNorm = VectorCodec.Norm(q);
        if (qNorm == 0 || scope.Empty || limit <= 0) return [];
        if (s.Count <= BinaryFirstPassAbove)
        {
            var exact = Scan(s.Count, limit, (from, to, best) => Int8Part(s, q, qNorm, scope, from, to, best, limit));
            return Ordered(exact);
        }
        var qBits = new ulong[_words];
        VectorCodec.SignBits(q, qBits);
        // Rescore several times more candidates than asked: sign bits alone order the top poorly.
        var candidates = Math.Max(limit * 8, 1000);
        var rough = Scan(s.Count, candidates, (from, to, best) => BinaryPart(s, qBits, scope, from, to, best, candidates));
        var rescored = new PriorityQueue<long, float>(limit + 1);
        while (rough.TryDequeue(out var slot, out _))
        {
            var slotIndex = (int)slot;
            Offer(rescored, s.Seqs[slotIndex], VectorCodec.Dot(q, s.Codes.AsSpan(slotIndex * Dims, Dims)) / (qNorm * s.Norms[slotIndex]), limit);
        }
        return Ordered(rescored);
    }

    /// <summary>Runs a scan over [0, count) on one thread, or two halves on two threads, and merges the best.</summary>
    private static PriorityQueue<long, float> Scan(int count, int limit, Action<int, int, PriorityQueue<long, float>> part)
    {
        var parts = count > ParallelAbove ? Math.Min(2, Environment.ProcessorCount) : 1;
        var queues = new PriorityQueue<long, float>[parts];
        for (var p = 0; p < parts; p++) queues[p] = new PriorityQueue<long, float>(limit + 1);
        if (parts == 1)
        {
            part(0, count, queues[0]);
            return queues[0];
        }
        Parallel.For(0, parts, p => part((int)((long)count * p / parts), (int)((long)count * (p + 1) / parts), queues[p]));
        for (var p = 1; p < parts; p++)
        {
            while (queues[p].TryDequeue(out var item, out var score)) Offer(queues[0], item, score, limit);
        }
        return queues[0];
    }

    private void Int8Part(Snapshot s, sbyte[] q, float qNorm, VectorScope scope, int from, int to, PriorityQueue<long, float> best, int limit)
    {
        for (var i = from; i < to; i++)
        {
            if (s.Norms[i] == 0 || !scope.Admits(s.Rows[i])) continue;
            Offer(best, s.Seqs[i], VectorCodec.Dot(q, s.Codes.AsSpan(i * Dims, Dims)) / (qNorm * s.Norms[i]), limit);
        }
    }

    /// <summary>Best slots (not seqs) by matching sign bits, so the rescoring finds their codes.</summary>
    private void BinaryPart(Snapshot s, ulong[] qBits, VectorScope scope, int from, int to, PriorityQueue<long, float> best, int limit)
    {
        for (var i = from; i < to; i++)
        {
            if (s.Norms[i] == 0 || !scope.Admits(s.Rows[i])) continue;
            Offer(best, i, -VectorCodec.Hamming(qBits, s.Bits.AsSpan(i * _words, _words)), limit);
        }
    }

    /// <summary>Keeps the <paramref name="limit"/> highest scores (the queue's head is the worst kept).</summary>
    private static void Offer(PriorityQueue<long, float> best, long item, float score, int limit)
    {
        if (best.Count < limit) best.Enqueue(item, score);
        else if (best.TryPeek(out _, out var worst) && score > worst) best.EnqueueDequeue(item, score);
    }

    private static List<(long, double)> Ordered(PriorityQueue<long, float> best)
    {
        var result = new List<(long, double)>(best.Count);
        while (best.TryDequeue(out var seq, out var similarity)) result.Add((seq, similarity));
        result.Reverse();
        return result;
    }
}
