using System.Globalization;
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
/// later, on top of all of them, term coverage up to x1.75 +1.0 and, for "how many/long/often/much"
/// questions, numbers x1.5 +0.3.
/// </summary>
public static partial class TextBoosts
{
    /// <summary>The candidates re-sorted by boosted score, each with what boosted it (null when nothing did).</summary>
    public static IReadOnlyList<(Memory Memory, double Score, string? Note)> Apply(string query, IReadOnlyList<(Memory Memory, double Score)> candidates, SearchOptions options)
    {
        if (candidates.Count == 0 || (options.SpeakerBoost <= 0 && options.DateBoost <= 0 && options.WhenBoost <= 0 && options.NumberBoost <= 0 && options.CoverageBoost <= 0))
        {
            return [.. candidates.Select(c => (c.Memory, c.Score, (string?)null))];
        }
        var words = QueryTerms.Tokenize(query).ToHashSet(StringComparer.Ordinal);
        var date = QueryDate.Find(query);
        var when = words.Contains("when");
        // "How many", "how long", "how often", "how much": the answer is a number.
        var quantity = words.Contains("how") && (words.Contains("many") || words.Contains("long") || words.Contains("often") || words.Contains("much"));
        var coverage = options.CoverageBoost > 0 ? TermCoverage.For(query) : null;
        var boosted = new List<(Memory Memory, double Score, string? Note)>(candidates.Count);
        var note = new List<string>(4);
        foreach (var (memory, score) in candidates)
        {
            var factor = 1.0;
            note.Clear();
            void Boost(double by, string reason)
            {
                factor *= by;
                note.Add(string.Create(CultureInfo.InvariantCulture, $"x{by:0.###} for {reason}"));
            }
            if (options.SpeakerBoost > 0 && memory.Metadata.TryGetValue("speaker", out var speaker)
                && QueryTerms.Tokenize(speaker) is [var first, ..] && words.Contains(first))
            {
                Boost(1 + options.SpeakerBoost, "the speaker named");
            }
            if (options.DateBoost > 0 && date is not null && date.Covers(memory.ValidFrom, options.DateSlackDays)) Boost(1 + options.DateBoost, "the date named");
            if (options.WhenBoost > 0 && when && TimeExpression().IsMatch(memory.Content)) Boost(1 + options.WhenBoost, "time words");
            if (options.NumberBoost > 0 && quantity && NumberExpression().IsMatch(memory.Content)) Boost(1 + options.NumberBoost, "a number");
            if (coverage?.Count(memory) is > 0 and var covered)
            {
                Boost(1 + options.CoverageBoost * covered / coverage.Terms, $"{covered} of {coverage.Terms} query terms");
            }
            var explained = note.Count == 0 ? null : $"{HybridRanker.Score(score)}, {string.Join(", ", note)}";
            boosted.Add((memory, score * factor, explained));
        }
        // Stable: equal scores keep the store's order.
        return [.. boosted.Select((c, i) => (c, i)).OrderByDescending(x => x.c.Score).ThenBy(x => x.i).Select(x => x.c)];
    }

    [GeneratedRegex(@"\b(yesterday|today|tonight|tomorrow|last|next|ago|week|weekend|weeks|month|months|year|years|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december|19\d\d|20\d\d|recently|since|morning|evening|night|summer|winter|spring|fall|autumn)\b", RegexOptions.IgnoreCase)]
    private static partial Regex TimeExpression();

    [GeneratedRegex(@"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred|thousand|once|twice|several|few|couple|dozen|dozens)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NumberExpression();
}
