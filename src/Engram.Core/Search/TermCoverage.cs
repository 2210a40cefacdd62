using System.Numerics;
using Engram.Core.Model;
using Engram.Core.Text;

namespace Engram.Core.Search;

/// <summary>
/// The share of a query's content terms that a memory's own words contain (title, content, facts,
/// concepts; not the neighbour context). BM25 over OR-ed terms lets one rare word outweigh a memory
/// that says everything the query asks; this restores the "all words present" preference. Words match
/// after irregular base forms ("bought" and "buy") and a crude fold of plural, -ed and -ing endings.
/// </summary>
public sealed class TermCoverage
{
    private const int LongestWord = 64;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly int _count;

    private TermCoverage(List<string> terms)
    {
        _count = terms.Count;
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < terms.Count; i++)
        {
            keys.TryAdd(terms[i], i);
            // A memory that says "bought" covers a query's "buy" (kept unfolded: looked up as written).
            foreach (var form in IrregularForms.FormsOf(terms[i])) keys.TryAdd(form, i);
        }
        _lookup = keys.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The query's distinct terms; null when it has fewer than two (nothing to prefer) or more than 64.</summary>
    public static TermCoverage? For(string query)
    {
        var terms = QueryTerms.Extract(query).Select(Fold).Distinct(StringComparer.Ordinal).ToList();
        return terms.Count is < 2 or > 64 ? null : new TermCoverage(terms);
    }

    /// <summary>How many distinct terms the query has.</summary>
    public int Terms => _count;

    /// <summary>How many of the query's terms the memory's own words contain.</summary>
    public int Count(Memory memory)
    {
        ulong covered = 0;
        Scan(memory.Title, ref covered);
        Scan(memory.Content, ref covered);
        foreach (var fact in memory.Facts) Scan(fact, ref covered);
        foreach (var concept in memory.Concepts) Scan(concept, ref covered);
        return BitOperations.PopCount(covered);
    }

    /// <summary>From 0 (none of the query's terms) to 1 (all of them).</summary>
    public double Share(Memory memory) => (double)Count(memory) / _count;

    /// <summary>A word's matching key; see <see cref="Fold(ReadOnlySpan{char}, Span{char})"/>.</summary>
    internal static string Fold(string word)
    {
        // A query may hold a megabyte-long "word": it is kept as it is, never put on the stack.
        if (word.Length > LongestWord) return word;
        Span<char> key = stackalloc char[word.Length + 1];
        return new string(key[..Fold(word, key)]);
    }

    /// <summary>
    /// A crude English fold, applied alike to query terms and memory words: "stories" and "story", "sports"
    /// and "sport", "adopted", "adopting" and "adopt", "loved" and "love", "running" and "run". Some words
    /// it joins wrongly ("united" and "unit"): that moves a boost, never a match, which is the index's job.
    /// </summary>
    internal static int Fold(ReadOnlySpan<char> word, Span<char> key)
    {
        word.CopyTo(key);
        var n = word.Length;
        if (n <= 3) return n;
        if (word.EndsWith("ies") || word.EndsWith("ied"))
        {
            n -= 3;
            key[n++] = 'y';
            return n;
        }
        if (n > 5 && word.EndsWith("ing")) n -= 3;
        else if (n > 4 && word.EndsWith("ed")) n -= 2;
        else if (word[^1] == 's' && word[^2] != 's') return n - 1;
        else return n;
        if (n > 3 && key[n - 1] == key[n - 2] && !IsVowel(key[n - 1])) n--;
        if (n > 3 && key[n - 1] == 'e') n--;
        return n;
    }

    private static bool IsVowel(char c) => c is 'a' or 'e' or 'i' or 'o' or 'u';

    // Runs of letters and digits, lower-cased in a stack buffer: no allocation per word.
    private void Scan(string? text, ref ulong covered)
    {
        if (string.IsNullOrEmpty(text)) return;
        Span<char> word = stackalloc char[LongestWord + 1];
        Span<char> key = stackalloc char[LongestWord + 1];
        var length = 0;
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                if (length <= LongestWord) word[length] = char.ToLowerInvariant(c);
                length++;
                continue;
            }
            Match(word, key, length, ref covered);
            length = 0;
        }
        Match(word, key, length, ref covered);
    }

    private void Match(Span<char> word, Span<char> key, int length, ref ulong covered)
    {
        if (length is 0 or > LongestWord) return;
        if (_lookup.TryGetValue(word[..length], out var index) || _lookup.TryGetValue(key[..Fold(word[..length], key)], out index))
        {
            covered |= 1UL << index;
        }
    }
}
