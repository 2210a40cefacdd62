using System.Diagnostics;
using System.Globalization;
using Engram.Core.Model;
using Engram.Core.Search;
using Engram.Core.Services;
using Engram.Core.Text;
using Engram.Eval;
using Engram.Sqlite;

namespace Engram.Bench;

/// <summary>
/// dotnet artifacts/bin/Engram.Bench/release/Engram.Bench.dll stages [--size 100000] [--queries 200] [--dir /work/notes/bench-stores]
/// Where one lexical search's time goes, on a store <see cref="SearchPathBench"/> built (the same queries):
/// the full-text ranking alone (the best 66, on one connection and on two, by FTS5's bm25() and by engram_bm25), the store's whole text search
/// (ranking, the filter check on the winners, loading them), the text boosts, and the whole service call,
/// scoped to a user, unscoped, and (the store search and whole search only) scoped to a user and a 90-day range. Stages take turns query by query; 20 warm-up queries are discarded.
/// </summary>
public static class SearchStages
{
    private const string Bm25 = $"-bm25(memories_fts, {SqliteMemoryStore.Bm25Weights})";

    public static async Task<int> RunAsync(int size, int queries, string dir)
    {
        var (corpus, texts) = SearchPathBench.Corpus(size);
        var path = SearchPathBench.BuiltStore(dir, size);
        await using var store = new SqliteMemoryStore(path);
        await using var everyRow = new SqliteMemoryStore(path) { CommonIdf = double.NegativeInfinity };
        var service = new MemoryService(store);
        var options = new SearchOptions();
        var pool = Math.Max(options.MinCandidates, 10 * options.CandidateMultiplier);
        var stages = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        void Add(string stage, double ms) => (stages.TryGetValue(stage, out var list) ? list : stages[stage] = []).Add(ms);
        var differ = new Dictionary<string, int>(StringComparer.Ordinal);
        var foundBefore = new Dictionary<string, int>(StringComparer.Ordinal);
        var foundNow = new Dictionary<string, int>(StringComparer.Ordinal);
        var random = new Random(7);
        for (var q = 0; q < queries + 20; q++)
        {
            var target = random.Next(size);
            var query = corpus.QueryFor(texts[target]);
            var terms = QueryTerms.Extract(query);
            var validFrom = SearchPathBench.ValidFrom(target, size);
            var range = new MemoryFilter { UserId = $"user{target % 10}", Since = validFrom.AddDays(-45), Until = validFrom.AddDays(45) };
            foreach (var (name, filter) in new[] { ("scoped", new MemoryFilter { UserId = $"user{target % 10}" }), ("unscoped", new MemoryFilter()), ("user + 90-day range", range) })
            {
                var active = filter with { ActiveAt = DateTimeOffset.UtcNow };
                var scope = ScopeTokens.Condition(active);
                var match = scope.Length == 0 ? SqliteMemoryStore.MatchExpression(terms) : $"({SqliteMemoryStore.MatchExpression(terms)}) AND {scope}";
                var scopePhrases = ScopeTokens.PhraseCount(active);
                // In this order: the kept-counts rankings find the counts the one before them kept.
                var rankings = new (string Label, string Score, long? SplitAt)[]
                {
                    ("bm25() ranking, best {0}, one connection", Bm25, null),
                    ("bm25() ranking, best {0}, two connections", Bm25, size / 2),
                    ("engram_bm25 ranking, best {0}, two connections, phrase counts and row lengths not kept", PrunedBm25.Score(scopePhrases, 0, SqliteMemoryStore.Bm25Weights), size / 2),
                    ("engram_bm25 ranking, best {0}, one connection", PrunedBm25.Score(scopePhrases, store.FullTextCacheId, SqliteMemoryStore.Bm25Weights), null),
                    ("engram_bm25 ranking, best {0}, two connections", PrunedBm25.Score(scopePhrases, store.FullTextCacheId, SqliteMemoryStore.Bm25Weights), size / 2),
                };
                // The rankings alone know no time range: the range path is timed as a whole.
                if (filter.Since is not null) rankings = [];
                var rankingMs = new double[rankings.Length];
                var watch = Stopwatch.StartNew();
                for (var r = 0; r < rankings.Length; r++)
                {
                    watch.Restart();
                    await Rank(store, rankings[r].Score, match, pool + 16, rankings[r].SplitAt);
                    rankingMs[r] = watch.Elapsed.TotalMilliseconds;
                }
                // The store's search ranking every matching row alike, as before rows holding only common words were set apart. The hits differ only
                // where rows holding only common phrases, older than the newest stretch, would have filled in: counted.
                watch.Restart();
                var everyPhrase = await everyRow.SearchTextAsync(terms, active, pool);
                var wholeMatch = watch.Elapsed.TotalMilliseconds;
                watch.Restart();
                var found = await store.SearchTextAsync(terms, active, pool);
                var text = watch.Elapsed.TotalMilliseconds;
                if (q >= 20)
                {
                    // Recall of the memory the query was drawn from, among the pool, and whether the hits are the same.
                    if (everyPhrase.Any(h => h.Memory.Content == texts[target])) foundBefore[name] = foundBefore.GetValueOrDefault(name) + 1;
                    if (found.Any(h => h.Memory.Content == texts[target])) foundNow[name] = foundNow.GetValueOrDefault(name) + 1;
                    if (!everyPhrase.Select(h => (h.Memory.Id, h.Score)).SequenceEqual(found.Select(h => (h.Memory.Id, h.Score)))) differ[name] = differ.GetValueOrDefault(name) + 1;
                }
                watch.Restart();
                TextBoosts.Apply(query, found, options);
                var boosts = watch.Elapsed.TotalMilliseconds;
                watch.Restart();
                await service.SearchAsync(new SearchRequest { Query = query, Filter = filter, Limit = 10 });
                var wholeSearch = watch.Elapsed.TotalMilliseconds;
                if (q < 20) continue;
                for (var r = 0; r < rankings.Length; r++) Add($"{name}: " + string.Format(CultureInfo.InvariantCulture, rankings[r].Label, pool + 16), rankingMs[r]);
                Add($"{name}: store text search, every matching row ranked alike", wholeMatch);
                Add($"{name}: store text search (ranking, check, load {pool})", text);
                Add($"{name}: text boosts", boosts);
                Add($"{name}: whole lexical search", wholeSearch);
            }
        }
        Console.WriteLine($"engram search stages: {size:N0} memories, {queries} queries, {Environment.ProcessorCount} cores, {SearchPathBench.RuntimeInfo()}");
        Console.WriteLine("| stage | p50 | p95 |");
        Console.WriteLine("|---|---:|---:|");
        foreach (var (stage, list) in stages)
        {
            list.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {stage} | {Percentiles.Of(list, 0.5):0.00} ms | {Percentiles.Of(list, 0.95):0.00} ms |"));
        }
        foreach (var (name, count) in foundNow) Console.WriteLine($"{name}: the query's source memory among the {pool} hits in {count} of {queries} queries ({foundBefore.GetValueOrDefault(name)} ranking every row holding a common phrase)");
        foreach (var (name, count) in differ) Console.WriteLine($"{name}: {count} of {queries} queries' hits differ from a ranking of every row holding a common phrase");
        return 0;
    }

    private static async Task Rank(SqliteMemoryStore store, string score, string match, int take, long? splitAt)
    {
        await using var ranking = await FullTextRanking.StartAsync(store.OpenAsync, score, match, take, (long.MinValue, long.MaxValue), splitAt, CancellationToken.None);
        for (var n = 0; n < take && ranking.TryNext(out _, out _); n++)
        {
        }
    }
}
