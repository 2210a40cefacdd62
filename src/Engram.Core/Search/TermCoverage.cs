using System.Numerics;
using Engram.Core.Model;
using Engram.Core.Text;

namespace Engram.Core.Search;

/// <summary>
/// The share of a query's content terms that a memory's own words contain (title, content, facts,
/// concepts; not the neighbour context). BM25 over OR-ed terms lets one rare word outweigh a memory
/// that says everything the query asks; this restores the "all words present" preference. Words match
/// after irregular base forms and a plural fold ("stories" and "story", "kids" and "kid").
/// </summary>
public sealed class TermCoverage
{
    private const int LongestWord = 64;
    private readonly Dictionary<string, int> _terms;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int _count;

    private TermCoverage(List<string> terms)
    {
        _count = terms.Count;
        _terms = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < terms.Count; i++)
        {
            _terms.TryAdd(terms[i], i);
            // A memory that says "bought" covers a query's "buy".
            foreach (var form in IrregularForms.FormsOf(terms[i])) _terms.TryAdd(form, i);
        }
        _lookup = _terms.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The query's distinct terms; null when it has fewer than two (nothing to prefer) or more than 64.</summary>
    public static TermCoverage? For(string query)
    {
        var terms = QueryTerms.Extract(query).Select(Fold).Distinct(StringComparer.Ordinal).ToList();
        return terms.Count is < 2 or > 64 ? null : new TermCoverage(terms);
    }

    /// <summary>From 0 (none of the query's terms) to 1 (all of them).</summary>
    public double Share(Memory memory)
    {
        ulong covered = 0;
        Scan(memory.Title, ref covered);
        Scan(memory.Content, ref covered);
        foreach (var fact in memory.Facts) Scan(fact, ref covered);
        foreach (var concept in memory.Concepts) Scan(concept, ref covered);
        return (double)BitOperations.PopCount(covered) / _count;
    }

    /// <summary>"stories" -> "story", "sports" -> "sport"; "glass" and short words stay as they are.</summary>
    internal static string Fold(string word)
    {
        if (word.Length <= 3) return word;
        if (word.EndsWith("ies", StringComparison.Ordinal)) return string.Concat(word.AsSpan(0, word.Length - 3), "y");
        return word[^1] == 's' && word[^2] != 's' ? word[..^1] : word;
    }

    // Runs of letters and digits, lower-cased in a stack buffer: no allocation per word.
    private void Scan(string? text, ref ulong covered)
    {
        if (string.IsNullOrEmpty(text)) return;
        Span<char> word = stackalloc char[LongestWord + 1];
        var length = 0;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                if (length <= LongestWord) word[length] = char.ToLowerInvariant(c);
                length++;
                continue;
            }
            Match(word, length, ref covered);
            length = 0;
        }
        Match(word, length, ref covered);
    }

    private void Match(Span<char> buffer, int length, ref ulong covered)
    {
        if (length is 0 or > LongestWord) return;
        var word = buffer[..length];
        if (_lookup.TryGetValue(word, out var index)
            || (length > 3 && word.EndsWith("ies") && Folded(buffer, length, out index))
            || (length > 3 && word[^1] == 's' && word[^2] != 's' && _lookup.TryGetValue(word[..^1], out index)))
        {
            covered |= 1UL << index;
        }
    }

    private bool Folded(Span<char> buffer, int length, out int index)
    {
        buffer[length - 3] = 'y';
        return _lookup.TryGetValue(buffer[..(length - 2)], out index);
    }
}
