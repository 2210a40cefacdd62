using System.Diagnostics;
using System.Globalization;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Eval;
using Engram.Sqlite;

namespace Engram.Bench;

/// <summary>
/// dotnet artifacts/bin/Engram.Bench/release/Engram.Bench.dll tenants [--size 100000] [--queries 200] [--dir /tmp/rank-stores]
/// Lexical search in a store shared by ten tenants (five users each, the paths bench's corpus): scoped to a user of
/// the tenant, and unscoped within the tenant, the way a server with API keys for several tenants searches one
/// SQLite store. The store is built once through the normal add path and kept in --dir (tenants-SIZE.db); searches
/// write nothing (access recording off), so a copy is not needed.
/// </summary>
public static class TenantSearchBench
{
    private const int Tenants = 10;

    public static async Task<int> RunAsync(int size, int queries, string dir)
    {
        Directory.CreateDirectory(dir);
        var (corpus, texts) = SearchPathBench.Corpus(size);
        var path = Path.Combine(dir, $"tenants-{size}.db");
        if (!File.Exists(path + ".built"))
        {
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
            var watch = Stopwatch.StartNew();
            await using (var fresh = new SqliteMemoryStore(path))
            {
                var writer = new MemoryService(fresh);
                for (var i = 0; i < size; i++) await writer.AddAsync(new AddMemoryRequest { Content = texts[i], Scope = ScopeOf(i) });
            }
            await File.WriteAllTextAsync(path + ".built", string.Create(CultureInfo.InvariantCulture, $"built in {watch.Elapsed.TotalSeconds:0} s\n"));
        }
        await using var store = new SqliteMemoryStore(path);
        var service = new MemoryService(store);
        var paths = new (string Name, Func<MemoryScope, MemoryFilter> Filter)[]
        {
            ("user in a tenant", s => new MemoryFilter { Tenant = s.Tenant, UserId = s.UserId }),
            ("unscoped within a tenant", s => new MemoryFilter { Tenant = s.Tenant }),
        };
        var latencies = paths.Select(_ => new List<double>(queries)).ToArray();
        var hits = new long[paths.Length];
        var random = new Random(7);
        for (var q = 0; q < queries + 20; q++)
        {
            var target = random.Next(size);
            var query = corpus.QueryFor(texts[target]);
            for (var turn = 0; turn < paths.Length; turn++)
            {
                var p = (turn + q) % paths.Length;
                var watch = Stopwatch.StartNew();
                var found = await service.SearchAsync(new SearchRequest { Query = query, Filter = paths[p].Filter(ScopeOf(target)), Limit = 10, RecordAccess = false });
                watch.Stop();
                if (q < 20) continue;
                latencies[p].Add(watch.Elapsed.TotalMilliseconds);
                hits[p] += found.Count;
            }
        }
        Console.WriteLine($"engram search in a shared store: {size:N0} memories, {Tenants} tenants, {queries} queries a path, limit 10, lexical");
        Console.WriteLine("| path | p50 | p95 | p99 | mean hits |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        for (var p = 0; p < paths.Length; p++)
        {
            latencies[p].Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {paths[p].Name} | {Percentiles.Of(latencies[p], 0.5):0.00} ms | {Percentiles.Of(latencies[p], 0.95):0.00} ms | {Percentiles.Of(latencies[p], 0.99):0.00} ms | {(double)hits[p] / queries:0.0} |"));
        }
        return 0;
    }

    private static MemoryScope ScopeOf(int i) => new() { Tenant = $"tenant{i % Tenants}", UserId = $"user{i / Tenants % 5}" };
}
