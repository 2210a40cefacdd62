using System.Diagnostics;
using System.Globalization;
using Engram.Core.Model;
using Engram.Core.Search;
using Engram.Core.Services;
using Engram.Eval;
using Engram.Sqlite;
using Microsoft.Extensions.AI;

namespace Engram.Bench;

/// <summary>
/// dotnet artifacts/bin/Engram.Bench/release/Engram.Bench.dll [--sizes 10000,100000,1000000] [--queries 200] [--dir /work/notes/bench-stores]
/// Search latency on every path a user or agent takes: scoped to a user, unscoped within the tenant, with a
/// kind, a time range, a metadata entry, by project, and all of those at once; each lexical only and hybrid
/// (the built-in model embedding every query, then the vector search). A store per size holds memories of
/// ten users, five projects, four kinds, a year of valid times and a tool name in metadata, each with a
/// 384-dimension vector (random unit vectors: the scan costs the same whatever they mean). Stores are built
/// once through the normal add path and kept in --dir (a million take several minutes).
/// </summary>
public static class SearchPathBench
{
    private const int Dims = 384;
    private static readonly MemoryKind[] Kinds = [MemoryKind.Observation, MemoryKind.Observation, MemoryKind.Observation, MemoryKind.Fact, MemoryKind.Fact, MemoryKind.Summary, MemoryKind.Prompt, MemoryKind.Observation];
    private static readonly string[] Tools = ["Read", "Edit", "Bash", "Grep", "Write"];
    private static readonly DateTimeOffset Start = new(2025, 11, 1, 0, 0, 0, TimeSpan.Zero);

    private sealed record Path(string Name, Func<int, MemoryFilter> Filter);

    private static readonly Path[] Paths =
    [
        new("scoped (user)", i => new MemoryFilter { UserId = User(i) }),
        new("unscoped (tenant)", _ => new MemoryFilter()),
        new("user + kind", i => new MemoryFilter { UserId = User(i), Kinds = [Kind(i)] }),
        new("user + 90-day range", i => new MemoryFilter { UserId = User(i), Since = ValidFrom(i).AddDays(-45), Until = ValidFrom(i).AddDays(45) }),
        new("user + metadata", i => new MemoryFilter { UserId = User(i), Metadata = new Dictionary<string, string> { ["tool"] = Tool(i) } }),
        new("project", i => new MemoryFilter { Project = Project(i) }),
        new("user + project + kind + since", i => new MemoryFilter { UserId = User(i), Project = Project(i), Kinds = [Kind(i)], Since = ValidFrom(i).AddDays(-90) }),
    ];

    private static int _size;
    private static string User(int i) => $"user{i % 10}";
    private static string Project(int i) => $"github.com/acme/service{i / 10 % 5}";
    private static MemoryKind Kind(int i) => Kinds[i / 50 % Kinds.Length];
    private static string Tool(int i) => Tools[i / 7 % Tools.Length];
    private static DateTimeOffset ValidFrom(int i) => ValidFrom(i, _size);

    /// <summary>
    /// The memories of a bench store of <paramref name="size"/>, in the order added, and the generator that wrote them,
    /// which goes on to write the queries (the benches on these stores ask the same ones).
    /// </summary>
    internal static (SyntheticCorpus Corpus, List<string> Texts) Corpus(int size)
    {
        var corpus = new SyntheticCorpus(seed: 42);
        var texts = new List<string>(size);
        for (var i = 0; i < size; i++) texts.Add(corpus.Memory());
        return (corpus, texts);
    }

    private static string StorePath(string dir, int size) => System.IO.Path.Combine(dir, $"paths-{size}.db");

    /// <summary>The store this bench built for <paramref name="size"/> in <paramref name="dir"/>, for the benches that search it.</summary>
    internal static string BuiltStore(string dir, int size)
    {
        var path = StorePath(dir, size);
        return File.Exists(path + ".built") ? path
            : throw new InvalidOperationException($"{path} is not built yet: run the paths bench with --sizes {size} first");
    }

    /// <summary>The valid time of the i-th memory of a store of <paramref name="size"/>: a year's times, in the order added.</summary>
    internal static DateTimeOffset ValidFrom(int i, int size) => Start.AddMinutes(365.0 * 24 * 60 * i / size);

    public static async Task<int> RunAsync(int[] sizes, int queries, string dir)
    {
        Directory.CreateDirectory(dir);
        using var generator = Hosting.EngramRuntime.Embeddings(new Hosting.EmbeddingSettings())!;
        var model = generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelId!;
        Console.WriteLine($"engram search paths bench: {Environment.ProcessorCount} cores, {RuntimeInfo()}, {queries} queries a path, limit 10");
        Console.WriteLine("| memories | path | lexical p50 | p95 | p99 | hybrid p50 | p95 | p99 | mean hits |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var size in sizes)
        {
            _size = size;
            var (corpus, texts) = Corpus(size);
            var path = StorePath(dir, size);
            var built = path + ".built";
            if (!File.Exists(built))
            {
                foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
                var watch = Stopwatch.StartNew();
                await using (var fresh = new SqliteMemoryStore(path)) await FillAsync(fresh, texts, model);
                await File.WriteAllTextAsync(built, string.Create(CultureInfo.InvariantCulture, $"built in {watch.Elapsed.TotalSeconds:0} s\n"));
            }
            await using var store = new SqliteMemoryStore(path);
            var services = new[] { new MemoryService(store), new MemoryService(store, new SearchOptions(), generator, embedOnWrite: false) };
            var latencies = new List<double>[Paths.Length, 2];
            var hits = new long[Paths.Length];
            for (var p = 0; p < Paths.Length; p++) for (var s = 0; s < 2; s++) latencies[p, s] = new List<double>(queries);
            var random = new Random(7);
            for (var q = 0; q < queries + 20; q++)
            {
                var target = random.Next(size);
                var query = corpus.QueryFor(texts[target]);
                // Paths and rankers take turns, so load on the machine touches them alike.
                for (var turn = 0; turn < Paths.Length * 2; turn++)
                {
                    var k = (turn + q) % (Paths.Length * 2);
                    var (p, s) = (k / 2, k % 2);
                    var request = new SearchRequest { Query = query, Filter = Paths[p].Filter(target), Limit = 10 };
                    var watch = Stopwatch.StartNew();
                    var result = await services[s].SearchAsync(request);
                    watch.Stop();
                    if (q < 20) continue; // warm-up; the first hybrid search loads the vectors
                    latencies[p, s].Add(watch.Elapsed.TotalMilliseconds);
                    if (s == 0) hits[p] += result.Count;
                }
            }
            for (var p = 0; p < Paths.Length; p++)
            {
                var (lex, hyb) = (latencies[p, 0], latencies[p, 1]);
                lex.Sort();
                hyb.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {size:N0} | {Paths[p].Name} | {Percentiles.Of(lex, 0.5):0.00} ms | {Percentiles.Of(lex, 0.95):0.00} ms | {Percentiles.Of(lex, 0.99):0.00} ms | {Percentiles.Of(hyb, 0.5):0.00} ms | {Percentiles.Of(hyb, 0.95):0.00} ms | {Percentiles.Of(hyb, 0.99):0.00} ms | {(double)hits[p] / queries:0.0} |"));
            }
        }
        return 0;
    }

    /// <summary>Adds every memory through the normal path (one transaction each), then their vectors in batches.</summary>
    private static async Task FillAsync(SqliteMemoryStore store, List<string> texts, string model)
    {
        var writer = new MemoryService(store);
        var random = new Random(1);
        var batch = new List<(string, ReadOnlyMemory<float>)>(2000);
        for (var i = 0; i < texts.Count; i++)
        {
            var added = await writer.AddAsync(new AddMemoryRequest
            {
                Content = texts[i],
                Kind = Kind(i),
                ValidFrom = ValidFrom(i),
                Metadata = new Dictionary<string, string> { ["tool"] = Tool(i) },
                Scope = new MemoryScope { UserId = User(i), Project = Project(i) },
            });
            batch.Add((added.Results[0].Memory.Id, RandomUnit(random)));
            if (batch.Count == 2000 || i == texts.Count - 1)
            {
                await store.SetEmbeddingsAsync(batch, model);
                batch.Clear();
            }
        }
    }

    internal static ReadOnlyMemory<float> RandomUnit(Random random)
    {
        var v = new float[Dims];
        for (var i = 0; i < Dims; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
        var norm = MathF.Sqrt(v.Sum(x => x * x));
        for (var i = 0; i < Dims; i++) v[i] /= norm;
        return v;
    }

    internal static string RuntimeInfo() => $".NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}";
}
