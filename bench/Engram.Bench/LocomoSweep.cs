using System.Globalization;
using Engram.Core.Search;
using Engram.Core.Services;
using Engram.Eval;
using Engram.Sqlite;
using Microsoft.Extensions.AI;

namespace Engram.Bench;

/// <summary>
/// dotnet run -c Release --project bench/Engram.Bench -- locomo-sweep --data ../shared/bench/locomo10.json [--conversations 0-4] [--dir PATH] [--cache PATH]
/// Tunes how the vector signal joins the ranking: each conversation is loaded and embedded once per run, then
/// every setting of the grid ("k,message weight[,neighbour vector share[,speaker-free query 0/1]]", separated by
/// semicolons) is scored. With --cache (a folder outside the repository) vectors are kept on disk, so later
/// runs embed only texts they have not seen.
/// Tune on conversations 0-4 only; 5-9 are held out.
/// </summary>
public static class LocomoSweep
{
    public static async Task<int> RunAsync(string data, string conversations, string dir, string grid, string? cache)
    {
        // Fresh stores each run: the embedding text may have changed; the cache makes re-embedding free.
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        var dataset = LocomoDataset.Load(data);
        using var generator = new CachedEmbeddings(Hosting.EngramRuntime.Embeddings(new Hosting.EmbeddingSettings())!, cache);
        // One store per conversation and neighbour share: the share changes the stored vectors.
        var stores = new Dictionary<(int, double), SqliteMemoryStore>();
        SqliteMemoryStore StoreFor(LocomoConversation c, double share)
        {
            if (!stores.TryGetValue((c.Index, share), out var store))
            {
                store = new SqliteMemoryStore(Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"conversation-{c.Index}-n{share}.db")));
                stores[(c.Index, share)] = store;
            }
            return store;
        }

        var settings = new List<(string Name, SearchOptions Options, bool Vectors)> { ("lexical", new SearchOptions(), false) };
        foreach (var pair in grid.Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = pair.Split(',');
            double Part(int i, double fallback) => parts.Length > i ? double.Parse(parts[i], CultureInfo.InvariantCulture) : fallback;
            var defaults = new SearchOptions();
            var options = defaults with
            {
                RrfK = (int)Part(0, defaults.RrfK),
                MessageVectorWeight = Part(1, defaults.MessageVectorWeight),
                NeighbourVectorShare = Part(2, defaults.NeighbourVectorShare),
                VectorQueryWithoutSpeakers = Part(3, defaults.VectorQueryWithoutSpeakers ? 1 : 0) > 0,
            };
            settings.Add(($"k={options.RrfK} w={options.MessageVectorWeight} neighbours={options.NeighbourVectorShare} speaker-free query={(options.VectorQueryWithoutSpeakers ? "yes" : "no")}", options, true));
        }
        Console.WriteLine("| setting | frac@10 | frac@25 | multi-hop | temporal | open-domain | single-hop | adversarial |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (name, options, vectors) in settings)
        {
            var report = await LocomoEvaluation.RunAsync(dataset,
                c => new MemoryService(StoreFor(c, options.NeighbourVectorShare), options, vectors ? generator : null, embedOnWrite: false),
                new LocomoOptions { Conversations = conversations, Ks = [10, 25] });
            var cats = report.Categories.ToDictionary(c => c.Key, c => c.Value.Frac(10));
            string Cat(string n) => cats.TryGetValue(n, out var v) ? v.ToString("0.000", CultureInfo.InvariantCulture) : "-";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {report.Overall.Frac(10):0.000} | {report.Overall.Frac(25):0.000} | {Cat("multi-hop")} | {Cat("temporal")} | {Cat("open-domain")} | {Cat("single-hop")} | {Cat("adversarial")} |"));
        }
        foreach (var store in stores.Values) await store.DisposeAsync();
        Console.WriteLine($"texts embedded by the model this run: {generator.Embedded}");
        return 0;
    }
}
