using Microsoft.Data.Sqlite;

namespace Engram.Sqlite;

/// <summary>
/// The BM25 ranking of a full-text match, best first. FTS5 scores every matching row before it returns the
/// first (about 1 µs a row), so in a large store the rows are split into two seq ranges, each ranked on its
/// own connection and thread, and the two rankings are merged: half the wait on a 2-core machine. Each
/// range sees the same index statistics, so the scores, and the merged order, are those of one ranking.
/// </summary>
internal sealed class FullTextRanking : IRankedRows, IAsyncDisposable
{
    /// <summary>Stores with more memories than this rank in two halves.</summary>
    internal const long SplitAbove = 50_000;

    private readonly Part[] _parts;

    private FullTextRanking(Part[] parts) => _parts = parts;

    private sealed class Part(SqliteConnection connection, SqliteCommand command, SqliteDataReader reader)
    {
        public SqliteConnection Connection { get; } = connection;
        public SqliteCommand Command { get; } = command;
        public SqliteDataReader Reader { get; } = reader;
        public bool HasRow { get; set; }
    }

    /// <param name="open">Opens a connection to the store (one per range).</param>
    /// <param name="bm25">The score expression (higher is better); it may read the ranking's <c>@take</c> (0 for every row).</param>
    /// <param name="take">Rank only the best this many (of each range), or null for every matching row.</param>
    /// <param name="seqs">Rank only rows with seqs in (After, UpTo].</param>
    /// <param name="splitAt">The seq where the two ranges meet, or null to rank in one.</param>
    public static async Task<FullTextRanking> StartAsync(Func<CancellationToken, Task<SqliteConnection>> open, string bm25, string match, int? take, (long After, long UpTo) seqs, long? splitAt, CancellationToken cancellationToken)
    {
        var ranges = splitAt is { } at ? new[] { (seqs.After, at), (at, seqs.UpTo) } : [seqs];
        // ExecuteReader runs the statement to its first row, which is where FTS5 ranks: start each range on its own thread.
        var parts = await Task.WhenAll(ranges.Select(range => Task.Run(async () =>
        {
            var connection = await open(cancellationToken);
            try
            {
                PrunedBm25.Register(connection);
                var command = connection.CreateCommand();
                command.CommandText = $"SELECT rowid, {bm25} AS score FROM memories_fts WHERE memories_fts MATCH @match AND rowid > @after AND rowid <= @upTo " +
                    "ORDER BY score DESC, rowid" + (take is null ? "" : " LIMIT @take");
                command.Parameters.AddWithValue("@match", match);
                command.Parameters.AddWithValue("@after", range.Item1);
                command.Parameters.AddWithValue("@upTo", range.Item2);
                command.Parameters.AddWithValue("@take", take ?? 0);
                var reader = command.ExecuteReader();
                return new Part(connection, command, reader) { HasRow = reader.Read() };
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }, cancellationToken)));
        return new FullTextRanking(parts);
    }

    /// <summary>The next best row; equal scores come in seq order, across ranges too. False when every range is spent.</summary>
    public bool TryNext(out long seq, out double score)
    {
        Part? best = null;
        var bestScore = double.NegativeInfinity;
        foreach (var part in _parts)
        {
            if (!part.HasRow) continue;
            var s = part.Reader.GetDouble(1);
            if (best is null || s > bestScore) (best, bestScore) = (part, s);
        }
        if (best is null)
        {
            (seq, score) = (0, 0);
            return false;
        }
        (seq, score) = (best.Reader.GetInt64(0), bestScore);
        best.HasRow = best.Reader.Read();
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var part in _parts)
        {
            await part.Reader.DisposeAsync();
            await part.Command.DisposeAsync();
            await part.Connection.DisposeAsync();
        }
    }
}
