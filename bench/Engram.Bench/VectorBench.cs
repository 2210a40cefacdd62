using System.Diagnostics;
using System.Globalization;
using Engram.Core.Model;
using Engram.Core.Search;
using Engram.Eval;
using Engram.Sqlite;
using Microsoft.Extensions.AI;

namespace Engram.Bench;

/// <summary>
/// dotnet artifacts/bin/Engram.Bench/release/Engram.Bench.dll vectors [--scan 1000000] [--queries 200]
/// The parts of a hybrid search's vector half: the built-in model embedding a query, then the in-memory
/// scan of --scan vectors (ten users), exact on int8 codes and by sign bits first with int8 rescoring,
/// unscoped and scoped to one user, with how many of the exact top 50 the sign-bit pass kept. Random
/// vectors have no clusters, so that overlap is a floor for real embeddings.
/// </summary>
public static class VectorBench
{
    private const int Dims = 384;

    public static async Task<int> RunAsync(int queries, int scanSize)
    {
        using var generator = Hosting.EngramRuntime.Embeddings(new Hosting.EmbeddingSettings())!;
        var model = generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelId!;
        var corpus = new SyntheticCorpus(seed: 42);
        var embed = new List<double>();
        for (var q = 0; q < queries + 20; q++)
        {
            var query = corpus.QueryFor(corpus.Memory());
            var watch = Stopwatch.StartNew();
            await generator.GenerateVectorAsync(query, EmbeddingPurpose.Query);
            if (q >= 20) embed.Add(watch.Elapsed.TotalMilliseconds);
        }
        Console.WriteLine($"engram vectors bench: {Environment.ProcessorCount} cores, {SearchPathBench.RuntimeInfo()}");
        Console.WriteLine("| measure | p50 | p95 | p99 | exact top 50 kept |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        Row($"query embedding ({model}), {queries} bench queries", embed, "");

        var codes = new sbyte[(long)scanSize * Dims];
        new Random(3).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(codes.AsSpan()));
        var seqs = Enumerable.Range(0, scanSize).Select(i => (long)i).ToArray();
        (string, string) ScopeOf(int i) => ($"user{i % 10}", "fact");
        var exact = VectorIndex.FromCodes(model, Dims, seqs, codes, ScopeOf, int.MaxValue);
        var binary = VectorIndex.FromCodes(model, Dims, seqs, codes, ScopeOf, 0);
        foreach (var (name, filter) in new[] { ("unscoped", new MemoryFilter()), ("one user of ten", new MemoryFilter { UserId = "user3" }) })
        {
            var times = new[] { new List<double>(), new List<double>() };
            var kept = 0.0;
            var random = new Random(5);
            for (var q = 0; q < 45; q++)
            {
                var vector = SearchPathBench.RandomUnit(random);
                var watch = Stopwatch.StartNew();
                var truth = exact.Top(vector.Span, 50, exact.ScopeOf(filter));
                var exactMs = watch.Elapsed.TotalMilliseconds;
                watch.Restart();
                var rough = binary.Top(vector.Span, 50, binary.ScopeOf(filter));
                var binaryMs = watch.Elapsed.TotalMilliseconds;
                if (q < 5) continue;
                times[0].Add(exactMs);
                times[1].Add(binaryMs);
                kept += truth.Select(t => t.Seq).Intersect(rough.Select(r => r.Seq)).Count() / 50.0;
            }
            Row($"int8 scan, {scanSize:N0} vectors, {name} (top 50)", times[0], "1.00");
            Row($"sign bits then int8 rescoring, {scanSize:N0} vectors, {name} (top 50)", times[1], (kept / 40).ToString("0.00", CultureInfo.InvariantCulture));
        }
        return 0;
    }

    private static void Row(string name, List<double> values, string kept)
    {
        values.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {Percentiles.Of(values, 0.5):0.0} ms | {Percentiles.Of(values, 0.95):0.0} ms | {Percentiles.Of(values, 0.99):0.0} ms | {kept} |"));
    }
}
