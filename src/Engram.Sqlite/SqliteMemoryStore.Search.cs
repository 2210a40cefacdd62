using System.Runtime.InteropServices;
using Engram.Core.Model;
using Engram.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Engram.Sqlite;

public sealed partial class SqliteMemoryStore
{
    // BM25 column weights: title, content, search_extra (facts, concepts, files, speaker, base forms),
    // search_context (neighbours up to two places away), scope_tokens (unranked). FTS5 normalises by the
    // length of the whole row, so every indexed column shifts ranking, even at weight 0: keep them lean.
    // Ranked by engram_bm25 (PrunedBm25): bm25()'s scores, without scoring rows that cannot make the cut.
    internal const string Bm25Weights = "2.0, 1.0, 1.0, 0.4, 0.0";

    /// <summary>This store's <see cref="FullTextCache"/>: phrase row counts and row lengths kept between searches while true.</summary>
    internal int FullTextCacheId { get; } = FullTextCache.Create();

    /// <summary>Stores with more memories than this rank full text in two halves (see <see cref="FullTextRanking"/>); tests lower it.</summary>
    internal long SplitRankingAbove { get; init; } = FullTextRanking.SplitAbove;

    public async Task<IReadOnlyList<(Memory Memory, double Score)>> SearchTextAsync(IReadOnlyList<string> terms, MemoryFilter filter, int limit, CancellationToken cancellationToken = default)
    {
        var phrases = Phrases(terms);
        if (phrases.Count == 0 || limit <= 0) return [];
        var match = string.Join(" OR ", phrases);
        // The scope narrows inside the index, before ranking; the whole filter is checked on the winners.
        var scope = ScopeTokens.Condition(filter);
        var scopePhrases = ScopeTokens.PhraseCount(filter);
        var scoped = scope.Length > 0 ? $"({match}) AND {scope}" : match;
        await using var connection = await OpenAsync(cancellationToken);
        try
        {
            if (await SeqWindowAsync(connection, filter, cancellationToken) is not { } window) return [];
            // Only the best rows are ranked (SQLite keeps only those, and engram_bm25 skips rows that cannot make
            // them): a few when a pure scope lets nearly every winner through, sixteen times as many for filters
            // that may turn most away. If too few of those pass, the whole ranking is read, as far as needed.
            var pureScope = filter.Kinds.Count == 0 && filter.Since is null && filter.Until is null && filter.Metadata.Count == 0;
            var cut = (pureScope ? 1 : 16) * FirstBatch(limit);
            var lastSeq = await LastSeqAsync(connection, cancellationToken);
            if (lastSeq > ReadAllLengthsAbove && Interlocked.Increment(ref _largeSearches) == 2) StartReadingAllLengths();
            async Task<List<(long Seq, double Score)>> RankAsync(string ranked, int skippedPhrases, (long After, long UpTo) seqs)
            {
                // Every ranking's match starts with the query's phrases: those are the ranked ones.
                var score = PrunedBm25.Score(skippedPhrases, FullTextCacheId, Bm25Weights, phrases);
                return await RankThenCheckAsync(connection, ranked, score, filter, seqs, lastSeq, limit, cut, cancellationToken)
                    ?? (await RankThenCheckAsync(connection, ranked, score, filter, seqs, lastSeq, limit, null, cancellationToken))!;
            }

            // A word in most rows adds little to a score but costs the most to rank: in a large store, rows holding
            // only common words are ranked after the others, among the newest rows first (CommonRowsRanked).
            var newest = Math.Min(window.UpTo, lastSeq);
            // An unscoped search in a large store where every matching row is ranked: over the phrases' kept postings,
            // from this store object's second such search on (a one-shot command's only search would pay for reading
            // every row's length and collecting the postings, and never use them again).
            if (scopePhrases == 0 && lastSeq > RankOverPostingsAbove && newest - Math.Max(window.After, 0) <= CommonRowsRanked
                && Interlocked.Increment(ref _unscopedSearches) > 1
                && RankOverPostingsOrNull(connection, phrases, window) is { } overPostings)
            {
                return await LoadRankedAsync(connection, (await CheckInOrderAsync(connection, overPostings, filter, limit, int.MaxValue, cancellationToken)).Passed, cancellationToken);
            }
            if (newest - Math.Max(window.After, 0) <= CommonRowsRanked
                || await IdfsAsync(connection, scoped, phrases, scopePhrases, cancellationToken) is not { } idf
                || CommonPhrases(idf, CommonIdf) is not { } common)
            {
                return await LoadRankedAsync(connection, await RankAsync(scoped, scopePhrases, window), cancellationToken);
            }

            // First, over the whole store, the rows that hold a rarer phrase, or when every phrase is common, those that
            // hold them all. The query's own phrases come first in the match, so each row's score is the same double as
            // in a ranking of them all, then the narrowing phrases again (not scored).
            var rareOnes = phrases.Where((_, i) => !common.Common[i]).ToList();
            var (first, narrowing) = rareOnes.Count > 0 ? (string.Join(" OR ", rareOnes), rareOnes.Count)
                : phrases.Count > 1 ? (string.Join(" AND ", phrases), phrases.Count) : ("", 0);
            var inScope = scope.Length > 0 ? $" AND {scope}" : "";
            var skipped = scopePhrases + narrowing;
            // Rows holding every phrase need no OR of them to be scored: the AND's own phrases are the query's, in order.
            var hits = first.Length == 0 ? []
                : rareOnes.Count == 0 ? await RankAsync($"({first}){inScope}", scopePhrases, window)
                : await RankAsync($"({match}) AND ({first}){inScope}", skipped, window);
            // The other rows score under their bound: if the last hit beats it, none of them is missed.
            if (hits.Count == limit && hits[^1].Score > common.Bound) return await LoadRankedAsync(connection, hits, cancellationToken);

            // Then the other rows, a stretch of the newest seqs at a time, until enough are found.
            var onlyCommon = first.Length == 0 ? scoped : $"(({match}) NOT ({first})){inScope}";
            var upTo = newest;
            do
            {
                var stretch = (Math.Max(window.After, upTo - CommonRowsRanked), upTo);
                hits = Best(hits, await RankAsync(onlyCommon, skipped, stretch), limit);
                upTo = stretch.Item1;
            }
            while (hits.Count < limit && upTo > window.After && upTo > 0);
            return await LoadRankedAsync(connection, hits, cancellationToken);
        }
        catch (SqliteException ex)
        {
            throw SqliteErrors.Translate(ex, Path);
        }
    }

    /// <summary>
    /// In a store (or a time range's stretch of seqs) wider than this, rows holding only a query's common phrases are
    /// ranked among the newest this many seqs first, and the next stretch only when too few of them pass. Smaller
    /// ones rank every matching row at once. Tests lower it.
    /// </summary>
    internal long CommonRowsRanked { get; init; } = 131_072;

    /// <summary>
    /// The best <paramref name="limit"/> of two rankings: by score, then seq, as one ranking orders them. A row changed
    /// between the two (its rare word edited out) can be in both: it is kept once.
    /// </summary>
    private static List<(long Seq, double Score)> Best(List<(long Seq, double Score)> a, List<(long Seq, double Score)> b, int limit) =>
        [.. a.Concat(b).OrderByDescending(h => h.Score).ThenBy(h => h.Seq).DistinctBy(h => h.Seq).Take(limit)];

    private static async Task<long> LastSeqAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var last = connection.CreateCommand();
        last.CommandText = "SELECT coalesce(max(seq), 0) FROM memories";
        return Convert.ToInt64(await last.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The ranked phrases' IDFs, in query order, or null when no row matches. Counting them also keeps the counts
    /// for the ranking that follows.
    /// </summary>
    private async Task<double[]?> IdfsAsync(SqliteConnection connection, string match, IReadOnlyList<string> ranked, int scopePhrases, CancellationToken cancellationToken)
    {
        PrunedBm25.Register(connection);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {PrunedBm25.Idfs(scopePhrases, FullTextCacheId, ranked)} FROM memories_fts WHERE memories_fts MATCH @match LIMIT 1";
        command.Parameters.AddWithValue("@match", match);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        return reader.IsDBNull(0) ? [] : MemoryMarshal.Cast<byte, double>((byte[])reader.GetValue(0)).ToArray();
    }

    /// <summary>
    /// Which of a query's phrases are common (in more than about 1 in 20 rows), and the bound of a row the first
    /// ranking leaves out (one holding only common phrases; when all are common, one missing any): the most it can
    /// score, a phrase adding less than its IDF times k1 + 1 however often it occurs and however short the row.
    /// Null when no phrase is common.
    /// </summary>
    private static (bool[] Common, double Bound)? CommonPhrases(double[] idf, double commonIdf)
    {
        var common = idf.Select(i => i <= commonIdf).ToArray();
        if (!common.Contains(true)) return null;
        var bound = idf.Where(i => i <= commonIdf).Sum(i => i * (PrunedBm25.K1 + 1.0));
        // When all are common, the rows ranked first hold them all: the others miss at least the least telling one.
        if (!common.Contains(false)) bound -= idf.Min() * (PrunedBm25.K1 + 1.0);
        return (common, bound);
    }

    /// <summary>
    /// Unscoped searches in stores with more memories than this (and up to <see cref="CommonRowsRanked"/>) rank over kept
    /// postings: in smaller ones FTS5 ranks fast enough that collecting a phrase's postings costs more than it saves.
    /// Tests lower it.
    /// </summary>
    internal long RankOverPostingsAbove { get; init; } = 50_000;

    private int _unscopedSearches;

    /// <summary>
    /// In a store with more memories than this, a store object's second search starts reading every row's length in the
    /// background (RowLengths.View.FillAll: 0.13-0.2 s and 8 MB at a million memories), so later rankings score each row
    /// from memory instead of looking its length up. The first is left alone: a one-shot command searches once.
    /// Tests lower it.
    /// </summary>
    internal long ReadAllLengthsAbove { get; init; } = 131_072;

    private int _largeSearches;
    private readonly CancellationTokenSource _closing = new();
    private Task _readingAllLengths = Task.CompletedTask;

    /// <summary>Completes once the background read of every row's length has ended, read or not (for tests).</summary>
    internal Task ReadingAllLengths => _readingAllLengths;

    private void StartReadingAllLengths()
    {
        var closing = _closing.Token;
        _readingAllLengths = Task.Run(async () =>
        {
            try
            {
                await using var connection = await OpenAsync(closing);
                if (FullTextCache.Find(FullTextCacheId) is not { } cache) return;
                using var transaction = connection.BeginTransaction(deferred: true);
                var db = connection.Handle!.DangerousGetHandle();
                if (Fts5Api.IndexStateOf(db) is not { } state) return;
                // An unscoped search over postings may have read them all already, while the store was smaller.
                if (cache.Lengths.Begin(state) is { Filled: false } lengths) lengths.FillAll(db, closing);
            }
            catch (Exception ex) when (ex is SqliteException or OperationCanceledException or ObjectDisposedException or Engram.Core.EngramException)
            {
                // Searches go on looking lengths up row by row, as they did before.
            }
        }, CancellationToken.None);
    }

    private static readonly double[] Bm25WeightValues = [.. Bm25Weights.Split(',').Select(w => double.Parse(w, System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>
    /// Every row holding a phrase, scored over the phrases' postings (<see cref="PhrasePostings"/>), all read in one read
    /// transaction; null when the index could not be read that way (the search then ranks in FTS5).
    /// </summary>
    private RankedRows? RankOverPostingsOrNull(SqliteConnection connection, List<string> phrases, (long After, long UpTo) window)
    {
        if (FullTextCache.Find(FullTextCacheId) is not { } cache) return null;
        PrunedBm25.Register(connection);
        using var transaction = connection.BeginTransaction(deferred: true);
        var db = connection.Handle!.DangerousGetHandle();
        if (Fts5Api.IndexStateOf(db) is not { } state) return null;
        var lengths = cache.Lengths.Begin(state);
        // Collecting a phrase's postings needs every row's length (no row can be skipped, as a ranking skips those that
        // cannot make its cut): read them all once rather than look each up.
        if (lengths is { Filled: false }) lengths.FillAll(db);
        if (cache.Postings.GetAll(connection, transaction, state, phrases, Bm25WeightValues, lengths) is not { } entries) return null;
        if (PhrasePostings.ReadTotals(connection, transaction, string.Join(" OR ", phrases)) is not { } totals) return new RankedRows([], []);
        return PhrasePostings.Rank(entries, totals.Rows, totals.Tokens, window);
    }

    /// <summary>Phrases with an IDF up to this are common: in more rows than about 1 in e^3 (20). The bench sets -infinity (none).</summary>
    internal double CommonIdf { get; init; } = 3.0;

    /// <summary>
    /// Ranks in the full-text index alone, best first, then checks the winners against the whole filter
    /// (tenant, kinds, time range, metadata, superseded) a batch at a time, until <paramref name="limit"/>
    /// have passed or the index has no more. Exact: every row the filter turned away ranked above every row
    /// not yet read. Joining every matching row to the memories table before ranking, as the filtered and
    /// unscoped paths did, cost 1.5-7 times as much.
    /// </summary>
    /// <param name="window">Rank only rows with seqs in (After, UpTo]: no other row can pass the filter.</param>
    /// <param name="lastSeq">The store's newest seq when the search began (where the split ranking divides the rows).</param>
    /// <param name="cut">Rank only this many best rows, or null for all.</param>
    /// <returns>The seqs that passed, best first, or null when the ranking was cut and too many of its rows failed the check.</returns>
    private async Task<List<(long Seq, double Score)>?> RankThenCheckAsync(SqliteConnection connection, string match, string score, MemoryFilter filter, (long After, long UpTo) window, long lastSeq, int limit, int? cut, CancellationToken cancellationToken)
    {
        // Split the stretch of seqs that holds rows (a range's, or the whole store's) in two halves.
        var from = Math.Max(window.After, 0);
        var span = Math.Min(window.UpTo, lastSeq) - from;
        long? splitAt = span > SplitRankingAbove ? from + span / 2 : null;

        var upTo = cut ?? int.MaxValue;
        await using var ranking = await FullTextRanking.StartAsync(OpenAsync, score, match, cut, window, splitAt, cancellationToken);
        // A cut ranking is exact only as far as its first rows: past them, one range may hide better rows.
        var (passed, read) = await CheckInOrderAsync(connection, ranking, filter, limit, upTo, cancellationToken);
        return passed.Count < limit && read == upTo ? null : passed;
    }

    /// <summary>
    /// Checks a ranking's rows against the filter a batch at a time, best first, until <paramref name="limit"/> passed,
    /// <paramref name="upTo"/> were read or none is left: the rows that passed, and how many were read.
    /// </summary>
    private static async Task<(List<(long Seq, double Score)> Passed, int Read)> CheckInOrderAsync(SqliteConnection connection, IRankedRows ranking, MemoryFilter filter, int limit, int upTo, CancellationToken cancellationToken)
    {
        // The check reads seqs only: whole rows are read for the final hits alone.
        using var check = connection.CreateCommand();
        check.CommandText = $"SELECT m.seq FROM {SeqLookup.From} WHERE {SqliteFilter.Where(filter, check)}";
        var seqs = SeqLookup.Bind(check);
        var first = FirstBatch(limit);
        var passed = new List<(long Seq, double Score)>(limit);
        var batch = new List<(long Seq, double Score)>(first);
        var read = 0;
        var more = true;
        for (var size = first; more && passed.Count < limit && read < upTo; size = NextBatch(size, passed.Count, read, limit))
        {
            batch.Clear();
            while (batch.Count < size && read + batch.Count < upTo && (more = ranking.TryNext(out var seq, out var rowScore))) batch.Add((seq, rowScore));
            read += batch.Count;
            await CheckAsync(check, seqs, batch, passed, limit, cancellationToken);
        }
        return (passed, read);
    }

    /// <summary>Time ranges holding more rows than this (of the scope field read) are ranked whole: the bounds would cost more than they spare.</summary>
    private const int MostRowsToBound = 32_768;

    /// <summary>Ranges wider than this share of the scope's time span are ranked whole without looking for bounds.</summary>
    private const double WidestShareToBound = 0.35;

    /// <summary>
    /// The seqs (after, upTo] that rows passing the filter's time range can have, or null when no row can.
    /// Memories are mostly added in the order of their valid times, so a range's rows sit in a stretch of
    /// seqs, and ranking only that stretch (FTS5 seeks to it) spares ranking other times' best rows only to
    /// turn them away. The bounds come from one (tenant, scope field, valid_from) index alone, no table rows,
    /// and hold every row that can pass whatever the order of valid times: exact, only less useful when shuffled.
    /// </summary>
    private static async Task<(long After, long UpTo)?> SeqWindowAsync(SqliteConnection connection, MemoryFilter filter, CancellationToken cancellationToken)
    {
        var whole = (long.MinValue, long.MaxValue);
        if (filter.Since is null && filter.Until is null) return whole;
        using var command = connection.CreateCommand();
        // One scope field at most, the first with an index of its own, so the index covers the queries.
        var (column, value) = !string.IsNullOrEmpty(filter.UserId) ? ("user_id", filter.UserId)
            : !string.IsNullOrEmpty(filter.Project) ? ("project", filter.Project)
            : !string.IsNullOrEmpty(filter.SessionId) ? ("session_id", filter.SessionId) : (null, null);
        var scope = "tenant = @tenant" + (column is null ? "" : $" AND {column} = @scope");
        var since = filter.Since?.ToUnixTimeMilliseconds() ?? long.MinValue;
        var until = filter.Until?.ToUnixTimeMilliseconds() ?? long.MaxValue;
        command.Parameters.AddWithValue("@tenant", filter.Tenant);
        command.Parameters.AddWithValue("@scope", value ?? "");
        command.Parameters.AddWithValue("@since", since);
        command.Parameters.AddWithValue("@until", until);
        command.Parameters.AddWithValue("@most", MostRowsToBound);

        // The scope's first and last valid times (two index seeks) say how wide the range is: counting its rows would read them.
        command.CommandText = $"SELECT (SELECT min(valid_from) FROM memories WHERE {scope}), (SELECT max(valid_from) FROM memories WHERE {scope})";
        await using (var span = await command.ExecuteReaderAsync(cancellationToken))
        {
            if (!await span.ReadAsync(cancellationToken) || span.IsDBNull(0)) return null;
            var (first, last) = (span.GetInt64(0), span.GetInt64(1));
            var share = (double)(Math.Min(until, last + 1) - Math.Max(since, first)) / (last + 1 - first);
            if (share > WidestShareToBound) return whole;
        }
        command.CommandText = $"SELECT min(seq), max(seq), count(*) FROM (SELECT seq FROM memories WHERE {scope} AND valid_from >= @since AND valid_from < @until LIMIT @most)";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken) || reader.IsDBNull(0)) return null;
        return reader.GetInt64(2) >= MostRowsToBound ? whole : (reader.GetInt64(0) - 1, reader.GetInt64(1));
    }

    /// <summary>The rows ranked and checked first: the limit and a margin for winners the filter turns away.</summary>
    private static int FirstBatch(int limit) => limit + Math.Max(16, limit / 4);

    /// <summary>
    /// The rows checked next: as many as the hits still missing need at the share of rows that passed so far, with a
    /// margin, and at most four times the last batch (four times it when none passed). Checking a row costs a lookup.
    /// </summary>
    private static int NextBatch(int last, int passed, int read, int limit)
    {
        if (passed == 0) return last * 4;
        var needed = (double)(limit - passed) * read / passed;
        return (int)Math.Min(last * 4.0, Math.Ceiling(needed * 1.25) + 16);
    }

    /// <summary>Adds the batch's rows that pass the check, in ranking order, up to <paramref name="limit"/> in all.</summary>
    private static async Task CheckAsync(SqliteCommand check, SqliteParameter seqs, List<(long Seq, double Score)> batch, List<(long Seq, double Score)> passed, int limit, CancellationToken cancellationToken)
    {
        if (batch.Count == 0) return;
        seqs.Value = SeqLookup.Json(batch.Select(b => b.Seq));
        var passing = new HashSet<long>(batch.Count);
        await using (var reader = await check.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) passing.Add(reader.GetInt64(0));
        }
        foreach (var row in batch)
        {
            if (passed.Count == limit) return;
            if (passing.Contains(row.Seq)) passed.Add(row);
        }
    }

    /// <summary>The memories of ranked seqs, in the given order.</summary>
    private static async Task<List<(Memory, double)>> LoadRankedAsync(SqliteConnection connection, List<(long Seq, double Score)> ranked, CancellationToken cancellationToken)
    {
        if (ranked.Count == 0) return [];
        using var load = connection.CreateCommand();
        load.CommandText = $"SELECT {MemoryRows.MemoryColumns}, m.seq FROM {SeqLookup.From}";
        SeqLookup.Bind(load, ranked.Select(r => r.Seq));
        var memories = new Dictionary<long, Memory>(ranked.Count);
        await using (var reader = await load.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) memories[reader.GetInt64(MemoryRows.MemoryColumnCount)] = MemoryRows.ReadMemory(reader);
        }
        // A row deleted between the check and the load is left out.
        return [.. ranked.Where(r => memories.ContainsKey(r.Seq)).Select(r => (memories[r.Seq], r.Score))];
    }

    /// <summary>
    /// Each term as a quoted FTS5 string, so quotes, *, -, :, parentheses and NEAR in the user's text are matched
    /// as words (or dropped), never parsed as syntax. NUL characters are dropped: FTS5 reads one as the end of the
    /// query ("unterminated string").
    /// </summary>
    private static List<string> Phrases(IReadOnlyList<string> terms) =>
        [.. terms.Select(t => t.Replace("\0", "", StringComparison.Ordinal)).Where(t => !string.IsNullOrWhiteSpace(t))
            .Select(t => '"' + t.Replace("\"", "\"\"", StringComparison.Ordinal) + '"')];

    /// <summary>"a" OR "b" OR ...: the match of a query's terms.</summary>
    internal static string MatchExpression(IReadOnlyList<string> terms) => string.Join(" OR ", Phrases(terms));

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

    public async Task<IReadOnlySet<string>> WithoutVectorsAsync(IReadOnlyCollection<string> ids, string model, int dimensions, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0) return new HashSet<string>();
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        return await MemoryRows.WithoutVectorsAsync(command, ids, model, dimensions, cancellationToken);
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
