using System.Collections.Concurrent;

namespace Engram.Sqlite;

/// <summary>
/// What ranking reads from the full-text index again and again, kept across queries for as long as it stays true:
/// how many rows hold each query phrase (the input of its IDF) and each row's length. One instance a store, found by
/// id from SQL.
/// </summary>
internal sealed class FullTextCache
{
    /// <summary>More phrases than this and the counts start over (a few bytes each).</summary>
    private const int MaxPhrases = 50_000;

    private static readonly ConcurrentDictionary<int, FullTextCache> Open = new();
    private static int _lastId;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Count> _rows = new(StringComparer.Ordinal);

    /// <summary>A count of a phrase's rows and the state of the index it was counted in.</summary>
    private sealed record Count(long Rows, byte[] Structure, long LastSeq, long LastRewrite);

    /// <summary>
    /// The index a query reads, as far as kept counts and lengths care: its structure (rewritten by every transaction
    /// that changes it), its largest seq and the oldest and newest entries of the rewrite log (0 when it is empty);
    /// <see cref="Db"/> is the query's connection.
    /// </summary>
    internal sealed record IndexState(IntPtr Db, byte[] Structure, long LastSeq, long OldestRewrite, long LastRewrite);

    /// <summary>A new, empty cache and its id (never 0, which means "none").</summary>
    public static int Create()
    {
        var id = Interlocked.Increment(ref _lastId);
        Open[id] = new FullTextCache();
        return id;
    }

    public static void Remove(int id) => Open.TryRemove(id, out _);

    public static FullTextCache? Find(int id) => Open.TryGetValue(id, out var cache) ? cache : null;

    /// <summary>The rows' lengths (see <see cref="RowLengths"/>).</summary>
    public RowLengths Lengths { get; } = new();

    /// <summary>The postings of phrases unscoped searches ranked (see <see cref="PhrasePostings"/>).</summary>
    public PhrasePostings Postings { get; } = new();

    /// <summary>
    /// The number of rows holding a phrase in the index <paramref name="state"/> describes, if it can be known without
    /// walking the phrase's whole doclist (about 6 ms a common word at a million memories). A count taken under the
    /// same structure is the same number. One taken before rows were only added since (the rewrite log has no new
    /// entry, so no row was deleted or re-indexed, and new rows have larger seqs) needs only the added rows counted:
    /// <paramref name="match"/> (the phrase as the query writes it) is matched against seqs above the kept one.
    /// </summary>
    public bool TryGetPhraseRows(IndexState state, string phrase, string? match, out long rows)
    {
        rows = 0;
        Count? kept;
        lock (_gate) _rows.TryGetValue(phrase, out kept);
        if (kept is null) return false;
        if (kept.Structure.AsSpan().SequenceEqual(state.Structure))
        {
            rows = kept.Rows;
            return true;
        }
        if (match is null || kept.LastRewrite != state.LastRewrite || state.LastSeq < kept.LastSeq) return false;
        if (Fts5Api.CountAfter(state.Db, match, kept.LastSeq) is not { } added) return false;
        rows = kept.Rows + added;
        AddPhraseRows(state, phrase, rows);
        Interlocked.Increment(ref _countsBroughtUpToDate);
        return true;
    }

    private long _countsBroughtUpToDate;

    /// <summary>How many kept counts were brought up to date by counting only the rows added since (for tests).</summary>
    public long CountsBroughtUpToDate => Interlocked.Read(ref _countsBroughtUpToDate);

    public void AddPhraseRows(IndexState state, string phrase, long rows)
    {
        lock (_gate)
        {
            if (_rows.Count >= MaxPhrases) _rows.Clear();
            _rows[phrase] = new Count(rows, state.Structure, state.LastSeq, state.LastRewrite);
        }
    }
}

/// <summary>
/// Full-text row lengths (tokens in all columns, as FTS5's docsize table holds them) by seq. FTS5 looks a scored
/// row's length up in a table, about 70% of the cost of ranking the 83,000 rows that hold two common words at a
/// million memories; an array read costs next to nothing. A row's length stays true until the row is re-indexed
/// with other text or deleted, and those rows are logged in fts_rewrites (migration 0010): each query first reads
/// the entries nobody here has read. Every length carries the log position of the query that read it (its stamp),
/// and a query trusts a length only when it was read at or before the query's own position, and after the row's
/// last rewrite: so no query reads a length of another version of the row than the one its snapshot holds.
/// </summary>
internal sealed class RowLengths
{
    /// <summary>Rows with larger seqs are not kept (64 MB of entries at most).</summary>
    private const long MostSeqs = 1 << 23;

    /// <summary>Rewritten rows remembered before the lengths start over.</summary>
    private const int MostRewrites = 200_000;

    private readonly Lock _gate = new();
    private Generation? _current;

    /// <summary>Whether the current generation read every row's length in one pass (for tests).</summary>
    public bool Filled => _current?.Filled ?? false;

    /// <summary>Lengths whose stamps count log positions from one start.</summary>
    internal sealed class Generation(long start)
    {
        public long Start { get; } = start;

        /// <summary>The newest log id applied to <see cref="LastRewrite"/>.</summary>
        public long Seen { get; set; } = start;

        /// <summary>By seq: (stamp + 1) &lt;&lt; 32 | length, or 0 for none. Replaced whole when it grows.</summary>
        public long[] Entries = [];

        /// <summary>By seq: the stamp of the row's last rewrite since <see cref="Start"/>.</summary>
        public ConcurrentDictionary<long, int> LastRewrite { get; } = new();

        public Lock Growing { get; } = new();

        /// <summary>Whether every row's length was read in one pass (<see cref="View.FillAll"/>) in this generation.</summary>
        public volatile bool Filled;
    }

    /// <summary>
    /// The lengths one query may read and add, after applying the log entries its snapshot holds that were not
    /// applied yet. Call inside the query's read transaction, which <paramref name="state"/> was read in; null when
    /// the log cannot be read or the query's snapshot is older than the lengths kept.
    /// </summary>
    public View? Begin(FullTextCache.IndexState state)
    {
        var (oldest, newest) = (state.OldestRewrite, state.LastRewrite);
        lock (_gate)
        {
            var g = _current;
            var entries = new List<(long Id, long Seq)>();
            if (g is not null && newest > g.Seen)
            {
                if (Fts5Api.RewritesAfter(state.Db, g.Seen) is not { } read) return null;
                entries = read;
            }
            // Start over when there are none yet, when the log pruned entries before they were read, when too many
            // rows were rewritten, or when stamps would no longer fit.
            if (g is null || (newest > g.Seen && oldest > g.Seen + 1) || g.LastRewrite.Count > MostRewrites || newest - g.Start >= int.MaxValue - 1)
            {
                g = _current = new Generation(newest);
            }
            else
            {
                foreach (var (id, seq) in entries) g.LastRewrite[seq] = (int)(id - g.Start);
                if (newest > g.Seen) g.Seen = newest;
            }
            return newest < g.Start ? null : new View(g, (int)(newest - g.Start));
        }
    }

    public sealed class View
    {
        private readonly Generation _generation;
        private readonly int _stamp;

        internal View(Generation generation, int stamp) => (_generation, _stamp) = (generation, stamp);

        public bool TryGet(long seq, out int length)
        {
            length = 0;
            var entries = Volatile.Read(ref _generation.Entries);
            if (seq < 0 || seq >= entries.Length) return false;
            var entry = entries[seq];
            if (entry == 0) return false;
            var stamp = (int)(entry >> 32) - 1;
            // Read by a later query (this snapshot may hold an older version), or rewritten since it was read.
            if (stamp > _stamp || (_generation.LastRewrite.TryGetValue(seq, out var rewritten) && rewritten > stamp)) return false;
            length = (int)(entry & 0xFFFF_FFFF);
            return true;
        }

        /// <summary>Whether every row's length was read in one pass in this generation (rows added since are looked up as before).</summary>
        public bool Filled => _generation.Filled;

        /// <summary>
        /// Reads every row's length from the docsize table in one pass (about 0.2 µs a row, against a lookup of a few
        /// hundred nanoseconds for each row a ranking scores), as lengths of this view's snapshot. Call inside the read
        /// transaction the view began in, on its connection <paramref name="db"/>. Cancelling stops it between rows
        /// (with <see cref="OperationCanceledException"/>); the lengths read so far are kept, true as any others.
        /// </summary>
        public void FillAll(IntPtr db, CancellationToken cancellationToken = default)
        {
            var read = Fts5Api.ReadAllLengths(db, (seq, length) =>
            {
                cancellationToken.ThrowIfCancellationRequested();
                Set(seq, length);
            });
            if (read) _generation.Filled = true;
        }

        public void Set(long seq, int length)
        {
            if (seq < 0 || seq >= MostSeqs || length < 0) return;
            var entries = Volatile.Read(ref _generation.Entries);
            if (seq >= entries.Length)
            {
                lock (_generation.Growing)
                {
                    entries = _generation.Entries;
                    if (seq >= entries.Length)
                    {
                        // A length another query writes into the old array meanwhile is lost, not wrong.
                        var grown = new long[Math.Min(MostSeqs, Math.Max(seq + 1 + seq / 2, entries.Length * 2L))];
                        entries.CopyTo(grown, 0);
                        Volatile.Write(ref _generation.Entries, grown);
                        entries = grown;
                    }
                }
            }
            entries[seq] = ((long)(_stamp + 1) << 32) | (uint)length;
        }
    }
}
