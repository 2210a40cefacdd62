using System.Globalization;
using Engram.Core.Search;
using Engram.Core.Services;
using Engram.Eval;
using Engram.Sqlite;

namespace Engram.Bench;

/// <summary>
/// dotnet run -c Release --project bench/Engram.Bench -- recall-sweep [--grid "60,0.3;5,0.5"]
/// The recall set embedded once, then scored for each (RrfK, VectorWeight). Choose on the tuning split;
/// the held-out column is printed for the record, not for choosing.
/// </summary>
public static class RecallSweep
{
    public static async Task<int> RunAsync(string grid)
    {
        var data = RecallEvaluation.Load();
        var folder = Directory.CreateTempSubdirectory("engram-recall-sweep-").FullName;
        try
        {
            using var generator = Hosting.EngramRuntime.Embeddings(new Hosting.EmbeddingSettings())!;
            await using var store = new SqliteMemoryStore(Path.Combine(folder, "recall.db"));
            var ids = await RecallEvaluation.LoadIntoAsync(data, new MemoryService(store, embeddings: generator, embedOnWrite: false));
            Console.WriteLine("| setting | tuning hit@1 | tuning hit@3 | tuning MRR | held-out hit@1 | held-out hit@3 | held-out MRR |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            var settings = new List<(string, MemoryService)> { ("lexical", new MemoryService(store)) };
            foreach (var pair in grid.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var parts = pair.Split(',');
                var options = new SearchOptions { RrfK = int.Parse(parts[0], CultureInfo.InvariantCulture), VectorWeight = double.Parse(parts[1], CultureInfo.InvariantCulture) };
                settings.Add(($"k={options.RrfK} w={options.VectorWeight}", new MemoryService(store, options, generator, embedOnWrite: false)));
            }
            foreach (var (name, service) in settings)
            {
                var scores = await RecallEvaluation.ScoreAsync(name, data, service, ids);
                var tuning = scores.Single(s => s.Split == "tuning");
                var held = scores.Single(s => s.Split == "held-out");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {tuning.Hit1:0.000} | {tuning.Hit3:0.000} | {tuning.Mrr:0.000} | {held.Hit1:0.000} | {held.Hit3:0.000} | {held.Mrr:0.000} |"));
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }
}
