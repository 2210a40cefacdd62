using System.Diagnostics;
using System.Globalization;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Eval;
using Engram.Sqlite;

namespace Engram.Bench;

/// <summary>
/// dotnet artifacts/bin/Engram.Bench/release/Engram.Bench.dll after-add [--size 1000000] [--queries 200] [--dir /tmp/rank-stores]
/// Lexical search latency when every search follows an add, as in an agent's session (hooks add while the agent
/// searches), against searches alone, on a store <see cref="SearchPathBench"/> built. Every add changes the index, so
/// whatever a search keeps about it must be checked again or brought up to date. Rounds alternate searches only and
/// add-then-search, unscoped and scoped to a user, the same queries in each; the first round of each is warm-up.
/// The store is written to: run it on a copy.
/// </summary>
public static class SearchAfterAdd
{
    public static async Task<int> RunAsync(int size, int queries, string dir)
    {
        var path = SearchPathBench.BuiltStore(dir, size);
        var (corpus, texts) = SearchPathBench.Corpus(size);
        var asked = new Random(11);
        var queryList = Enumerable.Range(0, queries).Select(_ => (Query: corpus.QueryFor(texts[asked.Next(size)]), User: $"user{asked.Next(10)}")).ToList();

        await using var store = new SqliteMemoryStore(path);
        var service = new MemoryService(store);
        var latencies = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        var added = 0;
        for (var round = 0; round < 6; round++)
        {
            var withAdds = round % 2 == 1;
            foreach (var (query, user) in queryList)
            {
                foreach (var scoped in new[] { false, true })
                {
                    if (withAdds)
                    {
                        await service.AddAsync(new AddMemoryRequest { Content = $"{corpus.Memory()} (added {added++})", Scope = new MemoryScope { UserId = user } });
                    }
                    var filter = scoped ? new MemoryFilter { UserId = user } : new MemoryFilter();
                    var watch = Stopwatch.StartNew();
                    await service.SearchAsync(new SearchRequest { Query = query, Filter = filter, Limit = 10, RecordAccess = false });
                    if (round < 2) continue; // warm-up
                    var key = $"{(scoped ? "scoped (user)" : "unscoped")} | {(withAdds ? "each right after an add" : "searches only")}";
                    (latencies.TryGetValue(key, out var list) ? list : latencies[key] = []).Add(watch.Elapsed.TotalMilliseconds);
                }
            }
        }
        Console.WriteLine($"engram search after add: {size:N0} memories, {queries} queries, rounds alternating, limit 10, lexical");
        Console.WriteLine("| path | searches | p50 | p95 |");
        Console.WriteLine("|---|---|---:|---:|");
        foreach (var (key, list) in latencies.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            list.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {key} | {Percentiles.Of(list, 0.5):0.00} ms | {Percentiles.Of(list, 0.95):0.00} ms |"));
        }
        return 0;
    }
}
