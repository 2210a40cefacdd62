using Engram.Core.Model;

namespace Engram.Core.Search;

/// <summary>What the vector signal embeds for a query.</summary>
public static class VectorQuery
{
    /// <summary>
    /// The text the query is embedded as: with VectorQueryWithoutSpeakers, the query without the first names
    /// of the text candidates' speakers (when that leaves some words).
    /// </summary>
    public static string Text(SearchOptions options, string query, IReadOnlyList<(Memory Memory, double Score, string? Note)> text)
    {
        if (!options.VectorQueryWithoutSpeakers) return query;
        var names = text.Select(t => t.Memory.Metadata.GetValueOrDefault("speaker"))
            .Select(s => Engram.Core.Text.QueryTerms.Tokenize(s) is [var first, ..] ? first : null)
            .OfType<string>().ToHashSet(StringComparer.Ordinal);
        if (names.Count == 0) return query;
        var kept = System.Text.RegularExpressions.Regex.Split(query, @"(\W+)")
            .Where(part => !names.Contains(part.ToLowerInvariant()));
        var stripped = string.Concat(kept).Trim();
        return Engram.Core.Text.QueryTerms.Extract(stripped).Count == 0 ? query : stripped;
    }
}
