using System.Globalization;
using System.Text.Json;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Sqlite;

namespace Engram.Bench;

/// <summary>
/// hit@1 and hit@3 on Engram's own small set (bench/Engram.Bench/Data/recall.json): coding observations and
/// personal facts, each searched with paraphrased questions through the normal search path.
/// </summary>
internal static class RecallBenchmark
{
    public static async Task<int> RunAsync(string dataPath)
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(dataPath));
        var root = document.RootElement;
        var folder = Directory.CreateTempSubdirectory("engram-recall-").FullName;
        try
        {
            await using var store = new SqliteMemoryStore(Path.Combine(folder, "recall.db"));
            var service = new MemoryService(store);
            var scope = new MemoryScope { UserId = "bench", Project = "github.com/acme/shop" };
            var ids = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var m in root.GetProperty("memories").EnumerateArray())
            {
                var added = await service.AddAsync(new AddMemoryRequest
                {
                    Content = m.GetProperty("text").GetString()!,
                    Kind = MemoryKinds.Parse(m.GetProperty("kind").GetString()!),
                    Type = m.TryGetProperty("type", out var type) ? type.GetString() : null,
                    Title = m.TryGetProperty("title", out var title) ? title.GetString() : null,
                    FilesModified = m.TryGetProperty("files", out var files) ? files.EnumerateArray().Select(f => f.GetString()!).ToList() : [],
                    Scope = scope,
                });
                ids[added.Results[0].Memory.Id] = m.GetProperty("id").GetString()!;
            }
            int total = 0, hit1 = 0, hit3 = 0;
            var misses = new List<string>();
            foreach (var q in root.GetProperty("queries").EnumerateArray())
            {
                var query = q.GetProperty("q").GetString()!;
                var target = q.GetProperty("target").GetString()!;
                var hits = await service.SearchAsync(new SearchRequest { Query = query, Filter = MemoryFilter.For(scope), Limit = 3, RecordAccess = false });
                var ranked = hits.Select(h => ids[h.Memory.Id]).ToList();
                total++;
                if (ranked.Count > 0 && ranked[0] == target) hit1++;
                if (ranked.Contains(target)) hit3++;
                else misses.Add($"  miss: \"{query}\" -> wanted {target}, got {string.Join(", ", ranked.DefaultIfEmpty("nothing"))}");
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {total} questions over {ids.Count} memories | hit@1 {(double)hit1 / total:0.00} | hit@3 {(double)hit3 / total:0.00} |"));
            foreach (var miss in misses) Console.WriteLine(miss);
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
