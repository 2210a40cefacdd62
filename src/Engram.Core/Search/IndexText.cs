using Engram.Core.Model;
using Engram.Core.Text;

namespace Engram.Core.Search;

/// <summary>The text every store indexes beside title and content, so all stores rank alike.</summary>
public static class IndexText
{
    /// <summary>
    /// Facts, concepts, file paths (whole and split into their parts), the observation type, a message's
    /// speaker, and the base forms of irregular words ("bought" is also indexed as "buy"), which a
    /// stemmer cannot join.
    /// </summary>
    public static string? Extra(Memory memory)
    {
        var parts = new List<string>();
        if (memory.Type is { Length: > 0 } type) parts.Add(type);
        if (memory.Metadata.TryGetValue("speaker", out var speaker) && speaker.Length > 0) parts.Add(speaker);
        var baseForms = string.Join(' ', IrregularForms.BaseForms(QueryTerms.Tokenize(memory.Title + " " + memory.Content)).Distinct());
        if (baseForms.Length > 0) parts.Add(baseForms);
        parts.AddRange(memory.Facts);
        parts.AddRange(memory.Concepts);
        foreach (var file in memory.FilesRead.Concat(memory.FilesModified).Distinct(StringComparer.Ordinal))
        {
            // "src/Auth/TokenStore.cs" is found by "TokenStore", "auth" or the whole path.
            parts.Add(file.Replace('/', ' ').Replace('\\', ' ').Replace('.', ' ').Replace('_', ' ').Replace('-', ' '));
        }
        return parts.Count == 0 ? null : string.Join('\n', parts);
    }

    /// <summary>What a message contributes to its neighbours' context: its content and its irregular base forms.</summary>
    public static string ForNeighbours(string content)
    {
        var baseForms = string.Join(' ', IrregularForms.BaseForms(QueryTerms.Tokenize(content)).Distinct());
        return baseForms.Length == 0 ? content : content + "\n" + baseForms;
    }
}
