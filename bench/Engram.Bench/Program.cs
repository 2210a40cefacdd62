using System.Diagnostics;
using System.Globalization;
using Engram.Core.Model;
using Engram.Core.Search;
using Engram.Core.Services;
using Engram.Sqlite;

namespace Engram.Bench;

/// <summary>
/// dotnet run -c Release --project bench/Engram.Bench -- [--sizes 10000,100000] [--queries 500] [--dir PATH]
/// dotnet run -c Release --project bench/Engram.Bench -- recall
/// dotnet run -c Release --project bench/Engram.Bench -- load [--adders 8] [--clients 32] [--seconds 60] (see LoadBenchmark)
/// dotnet run -c Release --project bench/Engram.Bench -- privacy
/// Fills a fresh SQLite store through the normal add path (measuring adds per second), then runs
/// searches scoped to one user, like the CLI and the hooks do, and reports p50/p95/p99 latency.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "cluster") return await ClusterLoadBenchmark.RunAsync(args);
        if (args.Length > 0 && args[0] == "load")
        {
            return await LoadBenchmark.RunAsync(args, (name, fallback) => Option(args, name, fallback));
        }
        if (args.Length > 0 && args[0] == "privacy") return PrivacyBenchmark.Run();
        if (args.Length > 0 && args[0] == "locomo-sweep")
        {
            return await LocomoSweep.RunAsync(Option(args, "--data", "../shared/bench/locomo10.json"), Option(args, "--conversations", "0-4"),
                Option(args, "--dir", Path.Combine(Path.GetTempPath(), "engram-sweep")),
                Option(args, "--grid", "5,0.2,0,0;5,0.3,0,1;5,0.3,0.3,1;5,0.5,0.3,1"),
                args.Contains("--cache") ? Option(args, "--cache", "") : null);
        }
        if (args.Length > 0 && args[0] == "vectors")
        {
            return await VectorBench.RunAsync(int.Parse(Option(args, "--size", "100000"), CultureInfo.InvariantCulture),
                int.Parse(Option(args, "--queries", "300"), CultureInfo.InvariantCulture),
                Option(args, "--dir", Path.Combine(Path.GetTempPath(), "engram-bench")),
                int.Parse(Option(args, "--scan", "1000000"), CultureInfo.InvariantCulture));
        }
        if (args.Length > 0 && args[0] == "recall-sweep")
        {
            return await RecallSweep.RunAsync(Option(args, "--grid", "60,0.3;60,1;60,2;20,0.5;20,1;10,0.5;10,1;5,0.3;5,0.5;5,1;5,3"));
        }
        if (args.Length > 0 && args[0] == "recall")
        {
            return await RecallBenchmark.RunAsync(Option(args, "--data", Path.Combine(AppContext.BaseDirectory, "Data", "recall.json")));
        }
        var sizes = Option(args, "--sizes", "10000,100000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var queries = int.Parse(Option(args, "--queries", "500"), CultureInfo.InvariantCulture);
        var dir = Option(args, "--dir", Path.Combine(Path.GetTempPath(), "engram-bench"));
        Directory.CreateDirectory(dir);

        Console.WriteLine($"engram bench: {Environment.ProcessorCount} cores, {RuntimeInfo()}");
        Console.WriteLine("| memories | ranker | adds/s (one add per transaction) | search p50 | search p95 | search p99 | mean hits |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|");
        foreach (var size in sizes)
        {
            var path = Path.Combine(dir, $"bench-{size}.db");
            foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
            await using var store = new SqliteMemoryStore(path);
            var service = new MemoryService(store);
            var corpus = new SyntheticCorpus(seed: 42);
            var texts = new List<string>(size);

            // Ten users share the store; searches are scoped to one of them, as in real use.
            var addWatch = Stopwatch.StartNew();
            for (var i = 0; i < size; i++)
            {
                var text = corpus.Memory();
                texts.Add(text);
                await service.AddAsync(new AddMemoryRequest { Content = text, Scope = new MemoryScope { UserId = $"user{i % 10}" } });
            }
            addWatch.Stop();
            var addsPerSecond = size / addWatch.Elapsed.TotalSeconds;

            // The default ranker and one without the term-coverage boost take turns on the same queries,
            // so their latencies compare side by side.
            var rankers = new[] { ("defaults", service), ("coverage boost off", new MemoryService(store, new SearchOptions { CoverageBoost = 0 })) };
            var random = new Random(7);
            var latencies = rankers.Select(_ => new List<double>(queries)).ToArray();
            var hits = new long[rankers.Length];
            for (var q = 0; q < queries + 20; q++)
            {
                var target = random.Next(size);
                var request = new SearchRequest
                {
                    Query = corpus.QueryFor(texts[target]),
                    Filter = new MemoryFilter { UserId = $"user{target % 10}" },
                    Limit = 10,
                };
                for (var turn = 0; turn < rankers.Length; turn++)
                {
                    var r = (turn + q) % rankers.Length;
                    var watch = Stopwatch.StartNew();
                    var result = await rankers[r].Item2.SearchAsync(request);
                    watch.Stop();
                    if (q < 20) continue; // warm-up
                    latencies[r].Add(watch.Elapsed.TotalMilliseconds);
                    hits[r] += result.Count;
                }
            }
            for (var r = 0; r < rankers.Length; r++)
            {
                var sorted = latencies[r];
                sorted.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {size:N0} | {rankers[r].Item1} | {addsPerSecond:N0} | {Percentile(sorted, 0.50):0.00} ms | {Percentile(sorted, 0.95):0.00} ms | {Percentile(sorted, 0.99):0.00} ms | {(double)hits[r] / queries:0.0} |"));
            }
        }
        return 0;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static string Option(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private static string RuntimeInfo() => $".NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}";
}
