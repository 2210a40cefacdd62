using System.Globalization;
using System.Text;
using System.Text.Json;
using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Services;

namespace Engram.Eval;

/// <summary>One question of the recall set and the memory that answers it.</summary>
public sealed record RecallQuery(int Index, string Query, string Expect)
{
    /// <summary>Every third question (positions 3, 6, 9, ...) is held out from tuning.</summary>
    public bool HeldOut => Index % 3 == 2;
}

/// <summary>hit@1, hit@3 and MRR (over the top 10) for one ranker on one split.</summary>
public sealed record RecallScore(string Ranker, string Split, int Questions, double Hit1, double Hit3, double Mrr);

/// <summary>
/// <c>engram eval recall</c>: Engram's own recall set (src/Engram.Eval/Data/recall.json, shipped inside this
/// assembly): memories a coding agent and a personal assistant keep, with near-miss distractors, each
/// searched with a question in other words. Scored for the text ranking alone and with vectors.
/// </summary>
public static class RecallEvaluation
{
    public sealed record Dataset(IReadOnlyList<(string Id, string Kind, string Text)> Memories, IReadOnlyList<RecallQuery> Queries);

    public static Dataset Load(Stream? json = null)
    {
        using var stream = json ?? typeof(RecallEvaluation).Assembly.GetManifestResourceStream("Engram.Eval.Data.recall.json")
            ?? throw new InvalidOperationException("the recall set is not embedded in Engram.Eval");
        using var document = JsonDocument.Parse(stream);
        var memories = document.RootElement.GetProperty("memories").EnumerateArray()
            .Select(m => (m.GetProperty("id").GetString()!, m.GetProperty("kind").GetString()!, m.GetProperty("text").GetString()!)).ToList();
        var queries = document.RootElement.GetProperty("queries").EnumerateArray()
            .Select((q, i) => new RecallQuery(i, q.GetProperty("query").GetString()!, q.GetProperty("expect").GetString()!)).ToList();
        return new Dataset(memories, queries);
    }

    /// <summary>Adds every memory through <paramref name="writer"/> (then lets it embed them); returns memory id -> set id.</summary>
    public static async Task<Dictionary<string, string>> LoadIntoAsync(Dataset data, MemoryService writer, CancellationToken cancellationToken = default)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, kind, text) in data.Memories)
        {
            // A decision is an observation of type "decision", as the pipeline stores them.
            var added = await writer.AddAsync(new AddMemoryRequest
            {
                Content = text,
                Kind = kind == "decision" ? MemoryKind.Observation : MemoryKinds.Parse(kind),
                Type = kind == "decision" ? "decision" : null,
                Scope = Scope,
                Actor = "recall",
            }, cancellationToken);
            ids[added.Results[0].Memory.Id] = id;
        }
        while (true)
        {
            var pass = await writer.EmbedPendingAsync(64, cancellationToken);
            if (pass.Error is { } error) throw new EngramException($"the memories could not be embedded: {error}");
            if (pass.Embedded == 0) return ids;
        }
    }

    public static readonly MemoryScope Scope = new() { UserId = "recall" };

    /// <summary>Scores one ranker: the rank of each question's memory in its top 10.</summary>
    public static async Task<List<RecallScore>> ScoreAsync(string ranker, Dataset data, IMemoryService service, IReadOnlyDictionary<string, string> ids, List<string>? misses = null, CancellationToken cancellationToken = default)
    {
        var ranks = new List<(RecallQuery Query, int Rank)>();
        foreach (var query in data.Queries)
        {
            var hits = await service.SearchAsync(new SearchRequest { Query = query.Query, Filter = MemoryFilter.For(Scope), Limit = 10, RecordAccess = false }, cancellationToken);
            var ranked = hits.Select(h => ids[h.Memory.Id]).ToList();
            var rank = ranked.IndexOf(query.Expect) + 1;
            ranks.Add((query, rank));
            if (rank is 0 or > 3) misses?.Add($"{ranker}: \"{query.Query}\" wants {query.Expect} (rank {(rank == 0 ? ">10" : rank.ToString(CultureInfo.InvariantCulture))}), got {string.Join(", ", ranked.Take(3))}");
        }
        RecallScore Score(string split, IEnumerable<(RecallQuery Query, int Rank)> rows)
        {
            var list = rows.ToList();
            return new RecallScore(ranker, split, list.Count,
                list.Count(r => r.Rank == 1) / (double)list.Count,
                list.Count(r => r.Rank is >= 1 and <= 3) / (double)list.Count,
                list.Sum(r => r.Rank == 0 ? 0 : 1.0 / r.Rank) / list.Count);
        }
        return [Score("all", ranks), Score("tuning", ranks.Where(r => !r.Query.HeldOut)), Score("held-out", ranks.Where(r => r.Query.HeldOut))];
    }

    public static string ToTable(IEnumerable<RecallScore> scores)
    {
        var text = new StringBuilder("| ranker | split | questions | hit@1 | hit@3 | MRR@10 |\n|---|---|---:|---:|---:|---:|\n");
        foreach (var s in scores)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {s.Ranker} | {s.Split} | {s.Questions} | {s.Hit1:0.000} | {s.Hit3:0.000} | {s.Mrr:0.000} |\n");
        }
        return text.ToString().TrimEnd();
    }
}
