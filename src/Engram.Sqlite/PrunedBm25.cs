using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;

namespace Engram.Sqlite;

/// <summary>
/// <c>engram_bm25(memories_fts, take, scope_phrases, cache, phrases, weight...)</c>: FTS5's <c>bm25()</c>, the same
/// arithmetic in the same order so every score is the same double, with four savings. The last <c>scope_phrases</c>
/// phrases of the query (the scope tokens, matched only in a column of weight 0) add exactly 0 to every
/// score, so their row counts for the IDF, a walk of a whole user's or project's doclist, are skipped. The
/// other phrases' counts come from the store's <see cref="FullTextCache"/> (<c>cache</c>, an id) when the index
/// is unchanged since they were counted or only gained rows (then only those are counted, by matching the query's
/// <c>phrases</c>), and so do the lengths of rows scored before, while still true. And once
/// <c>take</c> rows are scored (0: never), a row whose length is not kept and whose score cannot reach the best
/// <c>take</c> so far is not scored: its bound, the score it would have at its shortest possible length, needs only
/// its phrase instances, not its length. Such a row gets +infinity (the worst), which a query ordered by score with
/// <c>LIMIT take</c> never returns, because take rows with real scores are all better.
/// </summary>
internal static unsafe class PrunedBm25
{
    internal const double K1 = 1.2;
    private const double B = 0.75;
    private const int SqliteError = 1;

    /// <summary>Columns whose matched offsets bound a row's length (memories_fts has five; later ones only loosen the bound).</summary>
    private const int MaxColumns = 8;

    private static readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> Registered = new();

    /// <summary>
    /// The SQL of a score where higher is better, for a ranking that binds <c>@take</c>.
    /// <paramref name="weights"/> are bm25()'s column weights; the scope column's must be 0.
    /// </summary>
    /// <paramref name="cache"/> is the store's <see cref="FullTextCache"/> id, or 0 to count every phrase and read every length afresh.
    /// <paramref name="ranked"/>, the ranked phrases as the match writes them (in order), lets a kept count be brought
    /// up to date by counting only the rows added since (see <see cref="FullTextCache"/>); without them it is counted again.
    public static string Score(int scopePhrases, int cache, string weights, IReadOnlyList<string>? ranked = null) =>
        $"-engram_bm25(memories_fts, @take, {scopePhrases}, {cache}, {PhrasesArgument(ranked)}, {weights})";

    /// <summary>
    /// The SQL of the ranked phrases' IDFs (a blob of doubles, in query order), the same values a ranking by
    /// <see cref="Score"/> uses; run on any one matching row.
    /// </summary>
    public static string Idfs(int scopePhrases, int cache, IReadOnlyList<string>? ranked = null) =>
        $"engram_idf(memories_fts, 0, {scopePhrases}, {cache}, {PhrasesArgument(ranked)})";

    /// <summary>The phrases as a blob literal (UTF-8, one a line: no quoting to get wrong), or NULL.</summary>
    private static string PhrasesArgument(IReadOnlyList<string>? ranked) =>
        ranked is null || ranked.Any(p => p.Contains('\n', StringComparison.Ordinal)) ? "NULL"
        : $"X'{Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', ranked)))}'";

    /// <summary>Makes the functions available on this connection (once per native connection, pooled ones included).</summary>
    public static void Register(SqliteConnection connection)
    {
        var handle = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
        if (Registered.TryGetValue(handle, out _)) return;
        var api = Fts5Api.Of(handle.DangerousGetHandle());
        int code;
        fixed (byte* rank = "engram_bm25\0"u8)
        fixed (byte* idfs = "engram_idf\0"u8)
        fixed (byte* postings = "engram_postings\0"u8)
        fixed (byte* totals = "engram_totals\0"u8)
        fixed (byte* collect = "engram_collect\0"u8)
        {
            code = api->CreateFunction(api, rank, IntPtr.Zero, &Rank, IntPtr.Zero);
            if (code == Fts5Api.Ok) code = api->CreateFunction(api, idfs, IntPtr.Zero, &Idf, IntPtr.Zero);
            if (code == Fts5Api.Ok) code = api->CreateFunction(api, postings, IntPtr.Zero, &PhrasePostings.CollectRow, IntPtr.Zero);
            if (code == Fts5Api.Ok) code = api->CreateFunction(api, totals, IntPtr.Zero, &PhrasePostings.Totals, IntPtr.Zero);
            if (code == Fts5Api.Ok) code = api->CreateFunction(api, collect, IntPtr.Zero, &PhrasePostings.CollectPhrases, IntPtr.Zero);
        }
        if (code != Fts5Api.Ok) throw new InvalidOperationException($"could not register Engram's FTS5 functions (SQLite code {code})");
        Registered.AddOrUpdate(handle, handle);
    }

    /// <summary>What one query's ranking keeps between rows (FTS5 frees it with the query).</summary>
    private sealed class Query(double[] idf, double averageLength, double[] weights, int take, RowLengths.View? lengths)
    {
        /// <summary>Row lengths kept from earlier queries, when this query may use them.</summary>
        public RowLengths.View? Lengths { get; } = lengths;

        public double[] Idf { get; } = idf;
        public double AverageLength { get; } = averageLength;
        public double[] Weights { get; } = weights;
        public double[] Frequency { get; } = new double[idf.Length];
        public int Take { get; } = take;

        /// <summary>The best <see cref="Take"/> scores so far, lowest first: the bar a row must pass once full.</summary>
        public PriorityQueue<double, double> Best { get; } = new(Math.Max(take, 0));

        public void Offer(double score)
        {
            if (Take <= 0) return;
            if (Best.Count < Take) Best.Enqueue(score, score);
            else if (score > Best.Peek()) Best.EnqueueDequeue(score, score);
        }
    }

    [UnmanagedCallersOnly]
    private static void Rank(Fts5Api.Extension* api, IntPtr fts, IntPtr context, int count, IntPtr* values)
    {
        try
        {
            var code = QueryOf(api, fts, context, count, values, out var query);
            var result = 0.0;
            if (code == Fts5Api.Ok) code = ScoreRow(api, fts, query!, out result);
            if (code == Fts5Api.Ok) Fts5Api.sqlite3_result_double(context, result);
            else Fts5Api.sqlite3_result_error_code(context, code);
        }
        catch (Exception)
        {
            // Nothing may cross into SQLite's frames: the statement fails with SQLITE_ERROR instead.
            Fts5Api.sqlite3_result_error_code(context, SqliteError);
        }
    }

    [UnmanagedCallersOnly]
    private static void Idf(Fts5Api.Extension* api, IntPtr fts, IntPtr context, int count, IntPtr* values)
    {
        try
        {
            var code = QueryOf(api, fts, context, count, values, out var query);
            if (code != Fts5Api.Ok)
            {
                Fts5Api.sqlite3_result_error_code(context, code);
                return;
            }
            fixed (double* idf = query!.Idf)
            {
                Fts5Api.sqlite3_result_blob(context, idf, query.Idf.Length * sizeof(double), -1);
            }
        }
        catch (Exception)
        {
            Fts5Api.sqlite3_result_error_code(context, SqliteError);
        }
    }

    /// <summary>The row's bm25() value (lower is better), or +infinity when it cannot reach the best <c>take</c>.</summary>
    private static int ScoreRow(Fts5Api.Extension* api, IntPtr fts, Query query, out double result)
    {
        result = double.PositiveInfinity;
        var idf = query.Idf;
        var frequency = query.Frequency;
        var weights = query.Weights;
        // The row is at least as long as its last matched token in each column: a lower bound on its length, free.
        var columnEnds = stackalloc int[MaxColumns];
        for (var c = 0; c < MaxColumns; c++) columnEnds[c] = 0;
        for (var i = 0; i < idf.Length; i++)
        {
            var code = WeightedCount(api, fts, i, weights, columnEnds, out frequency[i], out _);
            if (code != Fts5Api.Ok) return code;
        }
        var lengths = query.Lengths;
        var rowid = lengths is null ? 0 : api->Rowid(fts);
        int tokens;
        if (lengths is not null && lengths.TryGet(rowid, out tokens))
        {
            var known = Sum(idf, frequency, tokens, query.AverageLength);
            query.Offer(known);
            result = -1.0 * known;
            return Fts5Api.Ok;
        }
        if (query.Take > 0 && query.Best.Count == query.Take)
        {
            var shortest = 0;
            for (var c = 0; c < MaxColumns; c++) shortest += columnEnds[c];
            // Every step of the sum is monotonic in the length, so the score at a shorter length is never lower.
            if (Sum(idf, frequency, shortest, query.AverageLength) < query.Best.Peek()) return Fts5Api.Ok;
        }
        var sizeCode = api->ColumnSize(fts, -1, &tokens);
        if (sizeCode != Fts5Api.Ok) return sizeCode;
        lengths?.Set(rowid, tokens);
        var score = Sum(idf, frequency, tokens, query.AverageLength);
        query.Offer(score);
        result = -1.0 * score;
        return Fts5Api.Ok;
    }

    /// <summary>
    /// A phrase's count in the row, each instance adding its column's weight (instances come in column and offset order,
    /// as bm25() adds them through xInst), and how many instances there are (a phrase held only in a column of weight 0
    /// counts 0.0 yet is held); with <paramref name="columnEnds"/>, also the end of the last instance in each column.
    /// </summary>
    internal static int WeightedCount(Fts5Api.Extension* api, IntPtr fts, int phrase, double[] weights, int* columnEnds, out double count, out int instances)
    {
        (count, instances) = (0.0, 0);
        Fts5Api.PhraseIter iter;
        int column, offset;
        var code = api->PhraseFirst(fts, phrase, &iter, &column, &offset);
        if (code != Fts5Api.Ok) return code;
        while (column >= 0)
        {
            instances++;
            count += column < weights.Length ? weights[column] : 1.0;
            if (columnEnds is not null && column < MaxColumns && offset >= columnEnds[column]) columnEnds[column] = offset + 1;
            api->PhraseNext(fts, &iter, &column, &offset);
        }
        return Fts5Api.Ok;
    }

    /// <summary>bm25()'s sum, term by term as fts5_aux.c writes it.</summary>
    private static double Sum(double[] idf, double[] frequency, double length, double averageLength)
    {
        var score = 0.0;
        for (var i = 0; i < idf.Length; i++) score += Term(idf[i], frequency[i], length, averageLength);
        return score;
    }

    /// <summary>One phrase's term of bm25()'s sum, as fts5_aux.c computes it: every ranking adds these same doubles.</summary>
    internal static double Term(double idf, double frequency, double length, double averageLength) =>
        idf * ((frequency * (K1 + 1.0)) / (frequency + K1 * (1 - B + B * length / averageLength)));

    /// <summary>FTS5's IDF of a phrase held by <paramref name="hits"/> of <paramref name="rows"/> rows, floored just above 0 for phrases in more than half the rows.</summary>
    internal static double Idf(long rows, long hits)
    {
        var value = Math.Log((rows - hits + 0.5) / (hits + 0.5));
        return value <= 0.0 ? 1e-6 : value;
    }

    private static int QueryOf(Fts5Api.Extension* api, IntPtr fts, IntPtr context, int count, IntPtr* values, out Query? query)
    {
        var saved = api->GetAuxdata(fts, 0);
        if (saved is not null)
        {
            query = (Query)GCHandle.FromIntPtr((IntPtr)saved).Target!;
            return Fts5Api.Ok;
        }
        query = null;
        if (count < 4) return SqliteError;
        var take = Fts5Api.sqlite3_value_int(values[0]);
        var ranked = Math.Max(0, api->PhraseCount(fts) - Fts5Api.sqlite3_value_int(values[1]));
        var cache = FullTextCache.Find(Fts5Api.sqlite3_value_int(values[2]));
        var texts = Fts5Api.BlobText(values[3])?.Split('\n');
        if (texts is not null && texts.Length != ranked) texts = null;
        var weights = new double[count - 4];
        for (var c = 0; c < weights.Length; c++) weights[c] = Fts5Api.sqlite3_value_double(values[c + 4]);

        long rows = 0, tokens = 0;
        var code = api->RowCount(fts, &rows);
        if (code == Fts5Api.Ok) code = api->ColumnTotalSize(fts, -1, &tokens);
        if (code != Fts5Api.Ok) return code;
        var averageLength = (double)tokens / (double)rows;
        // Counts and lengths are shared only outside explicit transactions, where the index read is the committed one
        // the structure and the rewrite log describe.
        var db = Fts5Api.sqlite3_context_db_handle(context);
        var structure = cache is not null && api->Version >= 3 && Fts5Api.sqlite3_get_autocommit(db) != 0 ? Fts5Api.StructureOf(db) : null;
        var state = structure is null ? null : Fts5Api.IndexStateOf(db, structure);
        var idf = new double[ranked];
        for (var i = 0; i < ranked; i++)
        {
            var phrase = state is null ? null : PhraseKey(api, fts, i);
            if (phrase is null || !cache!.TryGetPhraseRows(state!, phrase, texts?[i], out var hits))
            {
                hits = 0;
                code = api->QueryPhrase(fts, i, &hits, &CountRow);
                if (code != Fts5Api.Ok) return code;
                if (phrase is not null) cache!.AddPhraseRows(state!, phrase, hits);
            }
            idf[i] = Idf(rows, hits);
        }
        query = new Query(idf, averageLength, weights, take, state is null ? null : cache!.Lengths.Begin(state));
        var handle = GCHandle.Alloc(query);
        code = api->SetAuxdata(fts, (void*)GCHandle.ToIntPtr(handle), &Release);
        if (code != Fts5Api.Ok) handle.Free();
        return code;
    }

    /// <summary>The phrase's tokens as the index holds them (after stemming), one per line; null if unreadable.</summary>
    private static string? PhraseKey(Fts5Api.Extension* api, IntPtr fts, int phrase)
    {
        var key = new System.Text.StringBuilder();
        var size = api->PhraseSize(fts, phrase);
        for (var t = 0; t < size; t++)
        {
            byte* token;
            int bytes;
            if (api->QueryToken(fts, phrase, t, &token, &bytes) != Fts5Api.Ok) return null;
            key.Append(System.Text.Encoding.UTF8.GetString(token, bytes)).Append('\n');
        }
        return key.ToString();
    }

    [UnmanagedCallersOnly]
    private static int CountRow(Fts5Api.Extension* api, IntPtr fts, void* hits)
    {
        (*(long*)hits)++;
        return Fts5Api.Ok;
    }

    [UnmanagedCallersOnly]
    private static void Release(void* saved) => GCHandle.FromIntPtr((IntPtr)saved).Free();
}
