using Engram.Core.Model;

namespace Engram.Core.Search;

/// <summary>What the vector signal embeds for a query.</summary>
public static class VectorQuery
{
    /// <summary>
    /// The most characters of a query embedded (about 2,000 tokens): more than the built-in models read (512 and 256
    /// tokens), less than any provider refuses, so a log passed whole as a query still gets its vector signal.
    /// </summary>
    public const int MaxCharacters = 8_000;

    /// <summary>
    /// The text the query is embedded as: its first <see cref="MaxCharacters"/> characters, with
    /// VectorQueryWithoutSpeakers without the first names of the text candidates' speakers (when that leaves some words).
    /// </summary>
    public static string Text(SearchOptions options, string query, IReadOnlyList<(Memory Memory, double Score, string? Note)> text)
    {
        // Never cut between the two halves of a surrogate pair.
        if (query.Length > MaxCharacters) query = query[..(char.IsHighSurrogate(query[MaxCharacters - 1]) ? MaxCharacters - 1 : MaxCharacters)];
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
