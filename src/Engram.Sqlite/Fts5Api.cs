using System.Runtime.InteropServices;

namespace Engram.Sqlite;

/// <summary>
/// The few entry points of SQLite's C API and FTS5's extension API that registering an auxiliary ranking
/// function needs. Microsoft.Data.Sqlite and SQLitePCLRaw expose neither <c>sqlite3_bind_pointer</c> (the
/// only way to reach FTS5's <c>fts5_api</c>) nor FTS5's structures, so they are declared here against the
/// same native library SQLitePCLRaw loads. Layouts follow <c>fts5.h</c>; only members used are typed.
/// </summary>
internal static unsafe partial class Fts5Api
{
    private const string Library = "e_sqlite3";
    internal const int Ok = 0;
    private const int Row = 100;
    private const int Done = 101;

    [LibraryImport(Library)]
    private static partial int sqlite3_prepare_v2(IntPtr db, byte* sql, int bytes, out IntPtr statement, IntPtr tail);

    [LibraryImport(Library)]
    private static partial int sqlite3_bind_pointer(IntPtr statement, int index, void* pointer, byte* type, IntPtr destructor);

    [LibraryImport(Library)]
    private static partial int sqlite3_step(IntPtr statement);

    [LibraryImport(Library)]
    private static partial int sqlite3_finalize(IntPtr statement);

    [LibraryImport(Library)]
    private static partial int sqlite3_bind_int64(IntPtr statement, int index, long value);

    [LibraryImport(Library)]
    private static partial long sqlite3_column_int64(IntPtr statement, int column);

    [LibraryImport(Library)]
    private static partial IntPtr sqlite3_column_blob(IntPtr statement, int column);

    [LibraryImport(Library)]
    private static partial int sqlite3_column_bytes(IntPtr statement, int column);

    [LibraryImport(Library)]
    internal static partial IntPtr sqlite3_context_db_handle(IntPtr context);

    [LibraryImport(Library)]
    internal static partial int sqlite3_get_autocommit(IntPtr db);

    [LibraryImport(Library)]
    [SuppressGCTransition]
    internal static partial void sqlite3_result_double(IntPtr context, double value);

    /// <summary>SQLite copies the bytes (destructor SQLITE_TRANSIENT, -1).</summary>
    [LibraryImport(Library)]
    internal static partial void sqlite3_result_blob(IntPtr context, void* value, int bytes, IntPtr destructor);

    [LibraryImport(Library)]
    internal static partial void sqlite3_result_error_code(IntPtr context, int code);

    [LibraryImport(Library)]
    internal static partial double sqlite3_value_double(IntPtr value);

    [LibraryImport(Library)]
    internal static partial int sqlite3_value_int(IntPtr value);

    [LibraryImport(Library)]
    private static partial IntPtr sqlite3_value_blob(IntPtr value);

    [LibraryImport(Library)]
    private static partial int sqlite3_value_bytes(IntPtr value);

    [LibraryImport(Library)]
    private static partial int sqlite3_bind_text(IntPtr statement, int index, byte* value, int bytes, IntPtr destructor);

    /// <summary>FTS5's registration API of an open connection (<c>SELECT fts5(?1)</c> hands it back through a bound pointer).</summary>
    public static Registration* Of(IntPtr db)
    {
        Registration* api = null;
        var sql = "SELECT fts5(?1)\0"u8;
        var type = "fts5_api_ptr\0"u8;
        fixed (byte* sqlText = sql)
        fixed (byte* typeName = type)
        {
            Check(sqlite3_prepare_v2(db, sqlText, -1, out var statement, IntPtr.Zero), "prepare");
            try
            {
                Check(sqlite3_bind_pointer(statement, 1, &api, typeName, IntPtr.Zero), "bind");
                var step = sqlite3_step(statement);
                if (step != Row && step != Done) Check(step, "step");
            }
            finally
            {
                _ = sqlite3_finalize(statement);
            }
        }
        return api is null ? throw new InvalidOperationException("this SQLite has no FTS5") : api;
    }

    // The reads made inside a ranking's read transaction, once per query: each must be an index lookup, never a scan
    // (SqliteStoreTests checks their plans). One subquery for each end of the log: SQLite reads min() or max() off the
    // index only when it is the query's one aggregate.
    private const string StructureSql = "SELECT block FROM memories_fts_data WHERE id = 10";
    private const string IndexStateSql =
        "SELECT (SELECT coalesce(max(seq), 0) FROM memories), (SELECT coalesce(min(id), 0) FROM fts_rewrites), (SELECT coalesce(max(id), 0) FROM fts_rewrites)";
    private const string CountAfterSql = "SELECT count(*) FROM memories_fts WHERE memories_fts MATCH ?1 AND rowid > ?2";
    private const string RewritesAfterSql = "SELECT id, seq FROM fts_rewrites WHERE id > ?1 ORDER BY id";

    /// <summary>Not a per-query read: every row's sizes, read once (see <see cref="ReadAllLengths"/>).</summary>
    private const string DocSizesSql = "SELECT id, sz FROM memories_fts_docsize";

    /// <summary>The SQL of every read above, for the test of their plans.</summary>
    internal static IReadOnlyList<string> PerQueryReads => [StructureSql, IndexStateSql, CountAfterSql, RewritesAfterSql];

    /// <summary>A blob argument's bytes as UTF-8 text, or null for NULL.</summary>
    public static string? BlobText(IntPtr value)
    {
        var bytes = sqlite3_value_bytes(value);
        var blob = sqlite3_value_blob(value);
        return blob == IntPtr.Zero ? null : System.Text.Encoding.UTF8.GetString((byte*)blob, bytes);
    }

    /// <summary>
    /// The FTS5 index's structure record (the list of its segments, with a counter of pages written): it is
    /// rewritten by every transaction that changes the index, so equal bytes mean the same indexed rows.
    /// Read on <paramref name="db"/>, inside the read transaction of the query running there, as are the reads below.
    /// </summary>
    public static byte[]? StructureOf(IntPtr db)
    {
        using var read = new Statement(db, StructureSql);
        if (!read.Step()) return null;
        return new ReadOnlySpan<byte>((void*)sqlite3_column_blob(read.Handle, 0), sqlite3_column_bytes(read.Handle, 0)).ToArray();
    }

    /// <summary>
    /// What kept counts and lengths are checked against: the index structure, the largest seq and the oldest and
    /// newest entries of the rewrite log. Null if unreadable.
    /// </summary>
    public static FullTextCache.IndexState? IndexStateOf(IntPtr db, byte[] structure)
    {
        using var read = new Statement(db, IndexStateSql);
        return read.Step() ? new FullTextCache.IndexState(db, structure, read.Long(0), read.Long(1), read.Long(2)) : null;
    }

    /// <summary>
    /// The index state read with its structure, the structure first: in a read transaction that has read nothing yet,
    /// that first read starts the snapshot every later read sees. Null if unreadable.
    /// </summary>
    public static FullTextCache.IndexState? IndexStateOf(IntPtr db) => StructureOf(db) is { } structure ? IndexStateOf(db, structure) : null;

    /// <summary>How many rows with seqs above <paramref name="after"/> a match holds; null if unreadable.</summary>
    public static long? CountAfter(IntPtr db, string match, long after)
    {
        using var read = new Statement(db, CountAfterSql);
        var text = System.Text.Encoding.UTF8.GetBytes(match);
        fixed (byte* bytes = text)
        {
            // SQLITE_TRANSIENT (-1): SQLite copies the bytes.
            if (!read.Prepared || sqlite3_bind_text(read.Handle, 1, bytes, text.Length, new IntPtr(-1)) != Ok) return null;
        }
        return sqlite3_bind_int64(read.Handle, 2, after) == Ok && read.Step() ? read.Long(0) : null;
    }

    /// <summary>
    /// Every row's length from FTS5's docsize table in one pass, handed to <paramref name="row"/> (seq, tokens in all
    /// columns: a varint a column, as FTS5 writes it); false if unreadable.
    /// </summary>
    public static bool ReadAllLengths(IntPtr db, Action<long, int> row)
    {
        using var read = new Statement(db, DocSizesSql);
        if (!read.Prepared) return false;
        int step;
        while ((step = sqlite3_step(read.Handle)) == Row)
        {
            var sizes = new ReadOnlySpan<byte>((void*)sqlite3_column_blob(read.Handle, 1), sqlite3_column_bytes(read.Handle, 1));
            var (tokens, at) = (0L, 0);
            while (at < sizes.Length) tokens += ReadVarint(sizes, ref at);
            if (tokens > int.MaxValue) return false;
            row(read.Long(0), (int)tokens);
        }
        return step == Done;
    }

    /// <summary>One SQLite varint (big-endian groups of seven bits, a ninth byte of eight), as FTS5 writes its sizes.</summary>
    private static long ReadVarint(ReadOnlySpan<byte> bytes, ref int at)
    {
        ulong value = 0;
        for (var k = 0; k < 9 && at < bytes.Length; k++)
        {
            var b = bytes[at++];
            if (k == 8) return (long)((value << 8) | b);
            value = (value << 7) | (uint)(b & 0x7f);
            if ((b & 0x80) == 0) break;
        }
        return (long)value;
    }

    /// <summary>The full-text rewrite log's entries after <paramref name="after"/> (id, seq; oldest first); null if unreadable.</summary>
    public static List<(long Id, long Seq)>? RewritesAfter(IntPtr db, long after)
    {
        using var read = new Statement(db, RewritesAfterSql);
        if (!read.Prepared || sqlite3_bind_int64(read.Handle, 1, after) != Ok) return null;
        var entries = new List<(long, long)>();
        int step;
        while ((step = sqlite3_step(read.Handle)) == Row) entries.Add((read.Long(0), read.Long(1)));
        return step == Done ? entries : null;
    }

    /// <summary>A statement prepared on a connection, finalized on dispose; its failures read as "no row".</summary>
    private readonly ref struct Statement
    {
        public Statement(IntPtr db, string sql)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(sql);
            fixed (byte* text = bytes)
            {
                Prepared = sqlite3_prepare_v2(db, text, bytes.Length, out var handle, IntPtr.Zero) == Ok;
                Handle = handle;
            }
        }

        public IntPtr Handle { get; }

        public bool Prepared { get; }

        /// <summary>Steps once: true when a row is there.</summary>
        public bool Step() => Prepared && sqlite3_step(Handle) == Row;

        public long Long(int column) => sqlite3_column_int64(Handle, column);

        public void Dispose()
        {
            if (Handle != IntPtr.Zero) _ = sqlite3_finalize(Handle);
        }
    }

    private static void Check(int code, string what)
    {
        if (code != Ok) throw new InvalidOperationException($"could not reach FTS5's API ({what} failed with SQLite code {code})");
    }

    /// <summary><c>fts5_api</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Registration
    {
        public int Version;
        public IntPtr CreateTokenizer;
        public IntPtr FindTokenizer;
        public delegate* unmanaged<Registration*, byte*, IntPtr, delegate* unmanaged<Extension*, IntPtr, IntPtr, int, IntPtr*, void>, IntPtr, int> CreateFunction;
    }

    /// <summary><c>Fts5PhraseIter</c>: two cursor pointers FTS5 owns.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct PhraseIter
    {
        public IntPtr A;
        public IntPtr B;
    }

    /// <summary><c>Fts5ExtensionApi</c>, as far as <c>xQueryToken</c> (version 3 and later).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Extension
    {
        public int Version;
        public IntPtr UserData;
        public IntPtr ColumnCount;
        public delegate* unmanaged<IntPtr, long*, int> RowCount;
        public delegate* unmanaged<IntPtr, int, long*, int> ColumnTotalSize;
        public IntPtr Tokenize;
        public delegate* unmanaged<IntPtr, int> PhraseCount;
        public delegate* unmanaged<IntPtr, int, int> PhraseSize;
        public IntPtr InstCount;
        public IntPtr Inst;
        public delegate* unmanaged[SuppressGCTransition]<IntPtr, long> Rowid;
        public IntPtr ColumnText;
        public delegate* unmanaged<IntPtr, int, int*, int> ColumnSize;
        public delegate* unmanaged<IntPtr, int, void*, delegate* unmanaged<Extension*, IntPtr, void*, int>, int> QueryPhrase;
        public delegate* unmanaged<IntPtr, void*, delegate* unmanaged<void*, void>, int> SetAuxdata;
        // Called for every matching row (Rowid too): these read the cursor's own memory and never call back into .NET, so they skip
        // the GC transition (5-7% of an unscoped ranking at 1M memories).
        public delegate* unmanaged[SuppressGCTransition]<IntPtr, int, void*> GetAuxdata;
        public delegate* unmanaged[SuppressGCTransition]<IntPtr, int, PhraseIter*, int*, int*, int> PhraseFirst;
        public delegate* unmanaged[SuppressGCTransition]<IntPtr, PhraseIter*, int*, int*, void> PhraseNext;
        public IntPtr PhraseFirstColumn;
        public IntPtr PhraseNextColumn;
        public delegate* unmanaged<IntPtr, int, int, byte**, int*, int> QueryToken;
    }
}
