using System.Text.RegularExpressions;
using Engram.Core.Model;
using Engram.Core.Text;

namespace Engram.Core.Search;

/// <summary>
/// A re-scoring step in MemoryService, between
/// <c>IMemoryStore.SearchTextAsync</c> and <c>HybridRanker.Fuse</c>. Boosts multiply the BM25 score of
/// the text candidates (not the fused RRF score, where the same factor would move ranks far more), then
/// the candidates are re-sorted. Measured on LoCoMo conversations 0-4, SQLite path, on top of neighbour
/// context and speaker indexing: speaker x1.25 +1.3 points frac@10, date x2 +1.0, "when" x1.25 +0.2;
/// later, on top of all of them, term coverage up to x1.75 +1.0.
/// </summary>
public static partial class TextBoosts
{
    public static IReadOnlyList<(Memory Memory, double Score)> Apply(string query, IReadOnlyList<(Memory Memory, double Score)> candidates, SearchOptions options)
    {
        if (candidates.Count == 0 || (options.SpeakerBoost <= 0 && options.DateBoost <= 0 && options.WhenBoost <= 0 && options.CoverageBoost <= 0)) return candidates;
        var words = QueryTerms.Tokenize(query).ToHashSet(StringComparer.Ordinal);
        var date = QueryDate.Find(query);
        var when = words.Contains("when");
        var coverage = options.CoverageBoost > 0 ? TermCoverage.For(query) : null;
        var boosted = new List<(Memory Memory, double Score)>(candidates.Count);
        foreach (var (memory, score) in candidates)
        {
            var factor = 1.0;
            if (options.SpeakerBoost > 0 && memory.Metadata.TryGetValue("speaker", out var speaker)
                && QueryTerms.Tokenize(speaker) is [var first, ..] && words.Contains(first))
            {
                factor *= 1 + options.SpeakerBoost;
            }
            if (options.DateBoost > 0 && date is not null && date.Covers(memory.ValidFrom, options.DateSlackDays)) factor *= 1 + options.DateBoost;
            if (options.WhenBoost > 0 && when && TimeExpression().IsMatch(memory.Content)) factor *= 1 + options.WhenBoost;
            if (coverage is not null) factor *= 1 + options.CoverageBoost * coverage.Share(memory);
            boosted.Add((memory, score * factor));
        }
        // Stable: equal scores keep the store's order.
        return [.. boosted.Select((c, i) => (c, i)).OrderByDescending(x => x.c.Score).ThenBy(x => x.i).Select(x => x.c)];
    }

    [GeneratedRegex(@"\b(yesterday|today|tonight|tomorrow|last|next|ago|week|weekend|weeks|month|months|year|years|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december|19\d\d|20\d\d|recently|since|morning|evening|night|summer|winter|spring|fall|autumn)\b", RegexOptions.IgnoreCase)]
    private static partial Regex TimeExpression();
}
