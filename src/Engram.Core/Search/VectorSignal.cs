using Engram.Core.Model;

namespace Engram.Core.Search;

/// <summary>
/// How the vector candidates join the fusion: the weight messages get for this query (more when the text
/// ranking is unsure) and, optionally, the text boosts applied to the vector candidates too.
/// </summary>
public static class VectorSignal
{
    /// <summary>Text candidates looked at to judge whether the text ranking found what the query says.</summary>
    private const int SurenessDepth = 5;

    /// <summary>
    /// The message weight for one query: MessageVectorWeight when one of the top text candidates holds every
    /// query term, rising toward UnsureMessageVectorWeight as the best of them holds fewer.
    /// </summary>
    public static double MessageWeight(SearchOptions options, string query, IReadOnlyList<(Memory Memory, double Score, string? Note)> text)
    {
        if (options.UnsureMessageVectorWeight <= options.MessageVectorWeight) return options.MessageVectorWeight;
        var coverage = TermCoverage.For(query);
        if (coverage is null) return options.MessageVectorWeight;
        var best = text.Take(SurenessDepth).Select(t => coverage.Share(t.Memory)).DefaultIfEmpty(0).Max();
        return options.MessageVectorWeight + (options.UnsureMessageVectorWeight - options.MessageVectorWeight) * (1 - best);
    }

    /// <summary>
    /// The text the query is embedded as: with VectorQueryWithoutSpeakers, the query without the first names
    /// of the text candidates' speakers (when that leaves some words).
    /// </summary>
    public static string QueryText(SearchOptions options, string query, IReadOnlyList<(Memory Memory, double Score, string? Note)> text)
    {
        if (!options.VectorQueryWithoutSpeakers) return query;
        var names = text.Select(t => t.Memory.Metadata.GetValueOrDefault("speaker"))
            .Select(s => Text.QueryTerms.Tokenize(s) is [var first, ..] ? first : null)
            .OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (names.Count == 0) return query;
        var kept = System.Text.RegularExpressions.Regex.Split(query, @"(\W+)")
            .Where(part => !names.Contains(part.ToLowerInvariant()));
        var stripped = string.Concat(kept).Trim();
        return Text.QueryTerms.Extract(stripped).Count == 0 ? query : stripped;
    }

    /// <summary>The vector candidates re-sorted by their similarity times a share of the text boosts.</summary>
    public static IReadOnlyList<(Memory Memory, double Score, string? Note)> Boost(string query, IReadOnlyList<(Memory Memory, double Similarity)> dense, SearchOptions options)
    {
        var share = options.VectorBoostShare;
        if (share <= 0) return [.. dense.Select(d => (d.Memory, d.Similarity, (string?)null))];
        return TextBoosts.Apply(query, dense, options with
        {
            SpeakerBoost = share * options.SpeakerBoost,
            DateBoost = share * options.DateBoost,
            WhenBoost = share * options.WhenBoost,
            NumberBoost = share * options.NumberBoost,
            CoverageBoost = share * options.CoverageBoost,
        });
    }
}
