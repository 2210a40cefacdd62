using System.Globalization;
using Engram.Core.Search;
using Engram.Core.Services;
using Engram.Eval;
using Engram.Sqlite;
using Microsoft.Extensions.AI;

namespace Engram.Bench;

/// <summary>
/// dotnet run -c Release --project bench/Engram.Bench -- locomo-sweep --data ../shared/bench/locomo10.json [--conversations 0-4] [--dir PATH]
/// Tunes how the vector signal joins the ranking: each conversation is loaded and embedded once (the stores
/// are kept in --dir between runs), query vectors are cached, then every (RrfK, VectorWeight) pair is scored.
/// Tune on conversations 0-4 only; 5-9 are held out.
/// </summary>
public static class LocomoSweep
{
    public static async Task<int> RunAsync(string data, string conversations, string dir, string grid)
    {
        Directory.CreateDirectory(dir);
        var dataset = LocomoDataset.Load(data);
        using var generator = new CachingGenerator(Hosting.EngramRuntime.Embeddings(new Hosting.EmbeddingSettings())!);
        var stores = new Dictionary<int, SqliteMemoryStore>();
        SqliteMemoryStore StoreFor(LocomoConversation c)
        {
            if (!stores.TryGetValue(c.Index, out var store))
            {
                store = new SqliteMemoryStore(Path.Combine(dir, $"conversation-{c.Index}.db"));
                stores[c.Index] = store;
            }
            return store;
        }

        var settings = new List<(string Name, SearchOptions Options, bool Vectors)> { ("lexical", new SearchOptions(), false) };
        foreach (var pair in grid.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split(',');
            var k = int.Parse(parts[0], CultureInfo.InvariantCulture);
            var w = double.Parse(parts[1], CultureInfo.InvariantCulture);
            settings.Add(($"k={k} w={w}", new SearchOptions { RrfK = k, VectorWeight = w, MessageVectorWeight = w }, true));
        }
        Console.WriteLine("| setting | frac@10 | frac@25 | multi-hop | temporal | open-domain | single-hop | adversarial |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, options, vectors) in settings)
        {
            var report = await LocomoEvaluation.RunAsync(dataset,
                c => new MemoryService(StoreFor(c), options, vectors ? generator : null, embedOnWrite: false),
                new LocomoOptions { Conversations = conversations, Ks = [10, 25] });
            var cats = report.Categories.ToDictionary(c => c.Key, c => c.Value.Frac(10));
            string Cat(string n) => cats.TryGetValue(n, out var v) ? v.ToString("0.000", CultureInfo.InvariantCulture) : "-";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {report.Overall.Frac(10):0.000} | {report.Overall.Frac(25):0.000} | {Cat("multi-hop")} | {Cat("temporal")} | {Cat("open-domain")} | {Cat("single-hop")} | {Cat("adversarial")} |"));
        }
        foreach (var store in stores.Values) await store.DisposeAsync();
        return 0;
    }

    /// <summary>Each distinct query is embedded once across all settings.</summary>
    private sealed class CachingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner) : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly Dictionary<(string, bool), Embedding<float>> _cache = [];

        public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var texts = values.ToList();
            var query = EmbeddingPurpose.IsQuery(options);
            var missing = texts.Where(t => !_cache.ContainsKey((t, query))).Distinct().ToList();
            if (missing.Count > 0)
            {
                var made = await inner.GenerateAsync(missing, options, cancellationToken);
                for (var i = 0; i < missing.Count; i++) _cache[(missing[i], query)] = made[i];
            }
            return new GeneratedEmbeddings<Embedding<float>>(texts.Select(t => _cache[(t, query)]));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => inner.GetService(serviceType, serviceKey);

        public void Dispose() => inner.Dispose();
    }
}
