using System.Diagnostics;
using System.Globalization;
using Engram.Core.Model;
using Engram.Core.Search;
using Engram.Core.Services;
using Engram.Sqlite;
using Microsoft.Extensions.AI;

namespace Engram.Bench;

/// <summary>
/// dotnet run -c Release --project bench/Engram.Bench -- vectors [--size 100000] [--queries 300] [--dir PATH] [--scan 1000000]
/// Search latency with vectors: a store of --size memories, each with a 384-dimension vector (random
/// unit vectors: the scan costs the same whatever they mean), searched through the normal hybrid path
/// with the built-in model embedding every query. Then the in-memory int8 scan alone at --scan vectors.
/// </summary>
public static class VectorBench
{
    private const int Dims = 384;

    public static async Task<int> RunAsync(int size, int queries, string dir, int scanSize)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"vectors-{size}.db");
        var corpus = new SyntheticCorpus(seed: 42);
        var texts = new List<string>(size);
        for (var i = 0; i < size; i++) texts.Add(corpus.Memory());
        var fresh = !File.Exists(path);
        await using var store = new SqliteMemoryStore(path);
        using var generator = Hosting.EngramRuntime.Embeddings(new Hosting.EmbeddingSettings())!;
        var model = generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelId!;
        if (fresh)
        {
            var writer = new MemoryService(store);
            var random = new Random(1);
            var batch = new List<(string, ReadOnlyMemory<float>)>();
            for (var i = 0; i < size; i++)
            {
                var added = await writer.AddAsync(new AddMemoryRequest { Content = texts[i], Scope = new MemoryScope { UserId = $"user{i % 10}" } });
                batch.Add((added.Results[0].Memory.Id, RandomUnit(random)));
                if (batch.Count == 2000 || i == size - 1)
                {
                    await store.SetEmbeddingsAsync(batch, model);
                    batch.Clear();
                }
            }
        }

        var service = new MemoryService(store, new SearchOptions(), generator, embedOnWrite: false);
        var embed = new List<double>();
        var scan = new List<double>();
        var total = new List<double>();
        var pick = new Random(7);
        for (var q = 0; q < queries + 20; q++)
        {
            var target = pick.Next(size);
            var query = corpus.QueryFor(texts[target]);
            var filter = new MemoryFilter { UserId = $"user{target % 10}" };
            var watch = Stopwatch.StartNew();
            var vector = await generator.GenerateVectorAsync(query, EmbeddingPurpose.Query);
            var embedMs = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            await store.SearchVectorAsync(vector, model, filter, 50);
            var scanMs = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            await service.SearchAsync(new SearchRequest { Query = query, Filter = filter, Limit = 10, RecordAccess = false });
            var totalMs = watch.Elapsed.TotalMilliseconds;
            if (q < 20) continue; // warm-up, and the first search loads the index
            embed.Add(embedMs);
            scan.Add(scanMs);
            total.Add(totalMs);
        }
        Console.WriteLine($"engram vectors bench: {Environment.ProcessorCount} cores, {size:N0} memories with {Dims}-dimension int8 vectors, {queries} scoped queries");
        Console.WriteLine("| measure | p50 | p95 | p99 |");
        Console.WriteLine("|---|---:|---:|---:|");
        Row("query embedding (arctic-xs, 1 thread)", embed);
        Row("vector search alone (in-memory int8 scan + load)", scan);
        Row("whole hybrid search, query embedding included", total);

        // The scan kernel alone at a larger size.
        var codes = new sbyte[(long)scanSize * Dims];
        new Random(3).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(codes.AsSpan()));
        var index = VectorIndex.FromCodes(model, Dims, Enumerable.Range(0, scanSize).Select(i => (long)i).ToArray(), codes);
        var times = new List<double>();
        var qr = new Random(5);
        for (var q = 0; q < 25; q++)
        {
            var watch = Stopwatch.StartNew();
            index.Top(RandomUnit(qr).Span, 200);
            if (q >= 5) times.Add(watch.Elapsed.TotalMilliseconds);
        }
        Row($"int8 scan alone, {scanSize:N0} vectors (top 200)", times);
        return 0;
    }

    private static ReadOnlyMemory<float> RandomUnit(Random random)
    {
        var v = new float[Dims];
        for (var i = 0; i < Dims; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        for (var i = 0; i < Dims; i++) v[i] /= norm;
        return v;
    }

    private static void Row(string name, List<double> values)
    {
        values.Sort();
        double P(double p) => values[Math.Min(values.Count - 1, (int)Math.Ceiling(p * values.Count) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {P(0.5):0.0} ms | {P(0.95):0.0} ms | {P(0.99):0.0} ms |"));
    }
}
