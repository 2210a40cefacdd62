using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Engram.Sqlite;

/// <summary>
/// Postings kept in memory for unscoped searches: for each phrase a search ranked, the rows holding it (seq order) with
/// the phrase's weighted count in the row and the row's length, as engram_bm25 reads them from FTS5 row by row. An
/// unscoped search touches ten times the rows of a user's, and FTS5 walks them and calls the ranking function for each
/// (about 100 ns a row); with its phrases' postings at hand, the ranking is a sum over arrays, term by term
/// (<see cref="Rank"/>), with the same doubles added in the same order as bm25(), so the same scores. Postings stay true
/// while the index does: taken under the same structure they are the same; when rows were only added since (the rewrite
/// log has no new entry), the added rows are collected and appended; otherwise the phrase is collected again. A phrase is
/// collected by walking its own rows (FTS5's xQueryPhrase, counted as bm25() counts them), with no OR of phrases to merge
/// and no function call a row; every row's length is needed (the search reads them all from the docsize table first,
/// <see cref="RowLengths.View.FillAll"/>). Used only where the search ranks every matching row
/// (stores of 50,000 to <c>CommonRowsRanked</c> memories), so the results are the FTS5 ranking's, whichever way found.
/// </summary>
internal sealed class PhrasePostings
{
    /// <summary>More postings than this in all (about 20 bytes each) and the kept ones start over.</summary>
    private const long MostPostings = 4_000_000;

    private static readonly ConcurrentDictionary<int, Collector> Collecting = new();
    private static int _lastCollector;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private long _kept;

    /// <summary>A phrase's rows, their weighted counts and lengths, and the index they were read from.</summary>
    internal sealed record Entry(long[] Seqs, double[] Frequencies, int[] Lengths, byte[] Structure, long LastSeq, long LastRewrite);

    private long _appended;

    /// <summary>How many kept postings were brought up to date by collecting only the rows added since (for tests).</summary>
    public long Appended => Interlocked.Read(ref _appended);

    private long _collected;

    /// <summary>How many phrases' postings were collected whole (for tests: a search that fell back to FTS5 collects none).</summary>
    public long Collected => Interlocked.Read(ref _collected);

    /// <summary>Rows being collected by one statement, a list for each phrase of its match (the function appends, row by row).</summary>
    private sealed class Collector(int phrases, double[] weights, RowLengths.View? lengths)
    {
        public double[] Weights { get; } = weights;
        public RowLengths.View? KeptLengths { get; } = lengths;
        public List<long>[] Seqs { get; } = [.. Enumerable.Range(0, phrases).Select(_ => new List<long>())];
        public List<double>[] Frequencies { get; } = [.. Enumerable.Range(0, phrases).Select(_ => new List<double>())];
        public List<int>[] Lengths { get; } = [.. Enumerable.Range(0, phrases).Select(_ => new List<int>())];

        /// <summary>The row's length, kept or read (and kept); false if unreadable.</summary>
        public unsafe bool TryLength(Fts5Api.Extension* api, IntPtr fts, long rowid, out int tokens)
        {
            if (KeptLengths?.TryGet(rowid, out tokens) ?? false) return true;
            int read;
            if (api->ColumnSize(fts, -1, &read) != Fts5Api.Ok)
            {
                tokens = 0;
                return false;
            }
            KeptLengths?.Set(rowid, read);
            tokens = read;
            return true;
        }

        public void Add(int phrase, long rowid, double frequency, int tokens)
        {
            Seqs[phrase].Add(rowid);
            Frequencies[phrase].Add(frequency);
            Lengths[phrase].Add(tokens);
        }
    }

    /// <summary>
    /// The postings of each phrase (as the match writes it) in the index <paramref name="state"/> describes, read inside
    /// the same read transaction on <paramref name="connection"/>: kept ones while still true, the others collected in
    /// one walk of the phrases not kept (or of the rows added since, for those only behind); null if the index could not be read.
    /// </summary>
    public Entry[]? GetAll(SqliteConnection connection, SqliteTransaction transaction, FullTextCache.IndexState state, IReadOnlyList<string> phrases, double[] weights, RowLengths.View? lengths)
    {
        var found = new Dictionary<string, Entry>(StringComparer.Ordinal);
        var missing = new List<string>();
        var behind = new List<(string Phrase, Entry Kept)>();
        foreach (var phrase in phrases.Distinct(StringComparer.Ordinal))
        {
            if (!_entries.TryGetValue(phrase, out var kept)) missing.Add(phrase);
            else if (kept.Structure.AsSpan().SequenceEqual(state.Structure)) found[phrase] = kept;
            else if (kept.LastRewrite == state.LastRewrite && state.LastSeq >= kept.LastSeq) behind.Add((phrase, kept));
            else missing.Add(phrase);
        }
        if (missing.Count > 0)
        {
            if (Collect(connection, transaction, missing, long.MinValue, weights, lengths) is not { } all) return null;
            Interlocked.Add(ref _collected, missing.Count);
            for (var i = 0; i < missing.Count; i++)
            {
                _entries.TryGetValue(missing[i], out var replaced);
                found[missing[i]] = Keep(missing[i], new Entry([.. all.Seqs[i]], [.. all.Frequencies[i]], [.. all.Lengths[i]], state.Structure, state.LastSeq, state.LastRewrite), replaced);
            }
        }
        if (behind.Count > 0)
        {
            // One walk of the rows added after the oldest of them; each phrase takes those after its own.
            if (Collect(connection, transaction, [.. behind.Select(b => b.Phrase)], behind.Min(b => b.Kept.LastSeq), weights, lengths) is not { } added) return null;
            for (var i = 0; i < behind.Count; i++)
            {
                var (phrase, kept) = behind[i];
                var from = added.Seqs[i].FindIndex(seq => seq > kept.LastSeq);
                if (from < 0) from = added.Seqs[i].Count;
                found[phrase] = Keep(phrase, new Entry([.. kept.Seqs, .. added.Seqs[i].Skip(from)], [.. kept.Frequencies, .. added.Frequencies[i].Skip(from)],
                    [.. kept.Lengths, .. added.Lengths[i].Skip(from)], state.Structure, state.LastSeq, state.LastRewrite), kept);
                Interlocked.Increment(ref _appended);
            }
        }
        return [.. phrases.Select(p => found[p])];
    }

    private Entry Keep(string phrase, Entry entry, Entry? replaced)
    {
        if (Interlocked.Read(ref _kept) + entry.Seqs.Length > MostPostings)
        {
            _entries.Clear();
            Interlocked.Exchange(ref _kept, 0);
            replaced = null;
        }
        _entries[phrase] = entry;
        Interlocked.Add(ref _kept, entry.Seqs.Length - (replaced?.Seqs.Length ?? 0));
        return entry;
    }

    /// <summary>
/// The rows above <paramref name="after"/> holding each phrase, in seq order: all of them phrase by phrase, or those added
/// since in one walk of the phrases' OR; null if unreadable.
/// </summary>
    private static Collector? Collect(SqliteConnection connection, SqliteTransaction transaction, List<string> phrases, long after, double[] weights, RowLengths.View? lengths)
    {
        var collector = new Collector(phrases.Count, weights, lengths);
        var id = Interlocked.Increment(ref _lastCollector);
        Collecting[id] = collector;
        try
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            // Whole phrases: one row's call walks each phrase's rows on its own. Rows added since: one walk of the OR from there.
            command.CommandText = after == long.MinValue
                ? "SELECT engram_collect(memories_fts, @collector) FROM memories_fts WHERE memories_fts MATCH @match AND rowid > @after LIMIT 1"
                : "SELECT engram_postings(memories_fts, @collector) FROM memories_fts WHERE memories_fts MATCH @match AND rowid > @after";
            command.Parameters.AddWithValue("@collector", id);
            command.Parameters.AddWithValue("@match", string.Join(" OR ", phrases));
            command.Parameters.AddWithValue("@after", after);
            using var rows = command.ExecuteReader();
            while (rows.Read())
            {
                if (rows.IsDBNull(0)) return null;
            }
            return collector;
        }
        finally
        {
            Collecting.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// <c>engram_postings(memories_fts, collector)</c>: for each phrase of the match the row holds, appends the row's seq,
    /// the phrase's weighted count and the row's length to the collector's lists; NULL when something could not be read.
    /// </summary>
    [UnmanagedCallersOnly]
    internal static unsafe void CollectRow(Fts5Api.Extension* api, IntPtr fts, IntPtr context, int count, IntPtr* values)
    {
        try
        {
            if (count < 1 || !Collecting.TryGetValue(Fts5Api.sqlite3_value_int(values[0]), out var collector)) return;
            var rowid = api->Rowid(fts);
            var tokens = -1;
            var weights = collector.Weights;
            for (var p = 0; p < collector.Seqs.Length; p++)
            {
                // Counted as engram_bm25 counts it; a phrase the row lacks has no instance.
                if (PrunedBm25.WeightedCount(api, fts, p, weights, null, out var f, out var instances) != Fts5Api.Ok) return;
                if (instances == 0) continue;
                if (tokens < 0 && !collector.TryLength(api, fts, rowid, out tokens)) return;
                collector.Add(p, rowid, f, tokens);
            }
            Fts5Api.sqlite3_result_double(context, rowid);
        }
        catch (Exception)
        {
            // Nothing may cross into SQLite's frames: the row reads as NULL and the collection as failed.
        }
    }

    /// <summary>Which collector and which of its phrases a walk of one phrase's rows fills.</summary>
    private sealed record Walk(Collector Target, int Phrase);

    /// <summary>
    /// <c>engram_collect(memories_fts, collector)</c>, called for one row of the phrases' match: collects every row of each
    /// phrase, phrase by phrase; NULL when something could not be read.
    /// </summary>
    [UnmanagedCallersOnly]
    internal static unsafe void CollectPhrases(Fts5Api.Extension* api, IntPtr fts, IntPtr context, int count, IntPtr* values)
    {
        try
        {
            if (count < 1 || !Collecting.TryGetValue(Fts5Api.sqlite3_value_int(values[0]), out var collector)) return;
            for (var p = 0; p < collector.Seqs.Length; p++)
            {
                var walk = GCHandle.Alloc(new Walk(collector, p));
                try
                {
                    if (api->QueryPhrase(fts, p, (void*)GCHandle.ToIntPtr(walk), &CollectPhraseRow) != Fts5Api.Ok) return;
                }
                finally
                {
                    walk.Free();
                }
            }
            Fts5Api.sqlite3_result_double(context, 1);
        }
        catch (Exception)
        {
            // As in CollectRow: the call reads as NULL and the collection as failed.
        }
    }

    /// <summary>One row of a phrase's walk (xQueryPhrase's callback: the context holds that phrase alone, as phrase 0).</summary>
    [UnmanagedCallersOnly]
    private static unsafe int CollectPhraseRow(Fts5Api.Extension* api, IntPtr fts, void* state)
    {
        const int failed = 1; // SQLITE_ERROR: FTS5 stops the walk and returns it
        try
        {
            var walk = (Walk)GCHandle.FromIntPtr((IntPtr)state).Target!;
            var rowid = api->Rowid(fts);
            if (PrunedBm25.WeightedCount(api, fts, 0, walk.Target.Weights, null, out var f, out var instances) != Fts5Api.Ok) return failed;
            if (instances == 0) return Fts5Api.Ok;
            if (!walk.Target.TryLength(api, fts, rowid, out var tokens)) return failed;
            walk.Target.Add(walk.Phrase, rowid, f, tokens);
            return Fts5Api.Ok;
        }
        catch (Exception)
        {
            return failed;
        }
    }

    /// <summary><c>engram_totals(memories_fts)</c>: the index's row count and token count, as a blob of two longs.</summary>
    [UnmanagedCallersOnly]
    internal static unsafe void Totals(Fts5Api.Extension* api, IntPtr fts, IntPtr context, int count, IntPtr* values)
    {
        long* totals = stackalloc long[2];
        if (api->RowCount(fts, &totals[0]) != Fts5Api.Ok || api->ColumnTotalSize(fts, -1, &totals[1]) != Fts5Api.Ok) return;
        Fts5Api.sqlite3_result_blob(context, totals, 2 * sizeof(long), -1);
    }

    /// <summary>The index's row and token counts (the BM25 statistics), read with a match that holds a row; null when none does.</summary>
    public static (long Rows, long Tokens)? ReadTotals(SqliteConnection connection, SqliteTransaction transaction, string match)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT engram_totals(memories_fts) FROM memories_fts WHERE memories_fts MATCH @match LIMIT 1";
        command.Parameters.AddWithValue("@match", match);
        using var reader = command.ExecuteReader();
        if (!reader.Read() || reader.IsDBNull(0)) return null;
        var totals = MemoryMarshal.Cast<byte, long>((byte[])reader.GetValue(0));
        return (totals[0], totals[1]);
    }

    /// <summary>
    /// Every row in the seqs (after, upTo] holding any of the phrases, scored as engram_bm25 scores it: phrase by phrase
    /// in query order, each adding idf * (f * (k1 + 1)) / (f + k1 * (1 - b + b * length / average)), which is the order
    /// and arithmetic of bm25()'s own sum (a phrase a row lacks adds +0.0 there, so skipping it is the same double).
    /// </summary>
    public static RankedRows Rank(IReadOnlyList<Entry> phrases, long rows, long tokens, (long After, long UpTo) window)
    {
        var averageLength = (double)tokens / (double)rows;
        var from = Math.Max(window.After, 0);
        long to = long.MinValue;
        foreach (var p in phrases) if (p.Seqs.Length > 0) to = Math.Max(to, p.Seqs[^1]);
        to = Math.Min(to, window.UpTo);
        var span = (int)Math.Max(0, to - from);
        var scores = ArrayPool<double>.Shared.Rent(span + 1);
        var seen = ArrayPool<bool>.Shared.Rent(span + 1);
        Array.Clear(seen, 0, span + 1);
        var touched = new List<int>();
        try
        {
            foreach (var p in phrases)
            {
                var hits = p.Seqs.Length;
                var idf = PrunedBm25.Idf(rows, hits);
                var start = Array.BinarySearch(p.Seqs, from + 1);
                if (start < 0) start = ~start;
                for (var i = start; i < hits; i++)
                {
                    var seq = p.Seqs[i];
                    if (seq > to) break;
                    var slot = (int)(seq - from);
                    var f = p.Frequencies[i];
                    if (!seen[slot])
                    {
                        seen[slot] = true;
                        scores[slot] = 0.0;
                        touched.Add(slot);
                    }
                    if (f != 0.0) scores[slot] += PrunedBm25.Term(idf, f, p.Lengths[i], averageLength);
                }
            }
            var seqs = new long[touched.Count];
            var rowScores = new double[touched.Count];
            for (var i = 0; i < touched.Count; i++) (seqs[i], rowScores[i]) = (from + touched[i], scores[touched[i]]);
            return new RankedRows(seqs, rowScores);
        }
        finally
        {
            ArrayPool<double>.Shared.Return(scores);
            ArrayPool<bool>.Shared.Return(seen);
        }
    }
}

/// <summary>Rows in the order a ranking returns them: by score, best first, then by seq.</summary>
internal interface IRankedRows
{
    /// <summary>The next best row; false when there is none.</summary>
    bool TryNext(out long seq, out double score);
}

/// <summary>
/// Scored rows handed out best first, a chunk at a time: each chunk is selected from the rows not yet handed out
/// (a bounded heap over all of them), so the few best rows a search usually needs cost one pass, not a sort.
/// </summary>
internal sealed class RankedRows(long[] seqs, double[] scores) : IRankedRows
{
    private readonly Queue<int> _ready = new();
    private (double Score, long Seq)? _last;
    private int _handedOut;
    private int _chunk = 64;

    public bool TryNext(out long seq, out double score)
    {
        if (_ready.Count == 0 && _handedOut < seqs.Length) NextChunk();
        if (!_ready.TryDequeue(out var index))
        {
            (seq, score) = (0, 0);
            return false;
        }
        (seq, score) = (seqs[index], scores[index]);
        _last = (score, seq);
        _handedOut++;
        return true;
    }

    /// <summary>Whether a row comes before another in the ranking: higher score, then lower seq.</summary>
    private static bool Before(double scoreA, long seqA, double scoreB, long seqB) => scoreA > scoreB || (scoreA == scoreB && seqA < seqB);

    private void NextChunk()
    {
        // The worst of the chunk on top: a row better than it replaces it.
        var heap = new PriorityQueue<int, (double Score, long Seq)>(_chunk, Comparer<(double Score, long Seq)>.Create((a, b) =>
            Before(a.Score, a.Seq, b.Score, b.Seq) ? 1 : Before(b.Score, b.Seq, a.Score, a.Seq) ? -1 : 0));
        for (var i = 0; i < seqs.Length; i++)
        {
            // Rows handed out already come before the last one handed out.
            if (_last is { } last && !Before(last.Score, last.Seq, scores[i], seqs[i])) continue;
            var key = (scores[i], seqs[i]);
            if (heap.Count < _chunk) heap.Enqueue(i, key);
            else if (heap.TryPeek(out _, out var worst) && Before(key.Item1, key.Item2, worst.Score, worst.Seq)) heap.EnqueueDequeue(i, key);
        }
        var chunk = new int[heap.Count];
        for (var i = chunk.Length - 1; i >= 0; i--) chunk[i] = heap.Dequeue();
        foreach (var index in chunk) _ready.Enqueue(index);
        _chunk *= 4;
    }
}
