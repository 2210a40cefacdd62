using System.Collections.Frozen;
using System.Text;

namespace Engram.Core.Text;

/// <summary>
/// Turns free text into search terms: lower-case runs of letters and digits, with English stop
/// words and question words removed. Punctuation never survives, so no query syntax reaches a store.
/// </summary>
public static class QueryTerms
{
    /// <summary>
    /// The most terms a query searches with. A question, a pasted error or a session's focus has far fewer (512 cost
    /// 21-29 ms at 100k memories); a whole log passed as a query, tens of thousands, cost seconds (50,000 words 2.9 s,
    /// 150,000 words 25 s) for nothing its first words do not find.
    /// </summary>
    public const int MaxTerms = 256;

    /// <summary>Distinct content terms of a query, in order of first appearance: the first <see cref="MaxTerms"/>.</summary>
    public static IReadOnlyList<string> Extract(string? text)
    {
        var words = Tokenize(text);
        var terms = new List<string>(Math.Min(words.Count, MaxTerms));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var w in words)
        {
            if (terms.Count == MaxTerms) break;
            // "bought" is searched as "buy": the index holds the base forms of irregular words too.
            if (!StopWords.Contains(w) && seen.Add(IrregularForms.Normalize(w))) terms.Add(IrregularForms.Normalize(w));
        }
        // A query made only of stop words ("who is he") still deserves an answer.
        if (terms.Count == 0)
        {
            foreach (var w in words)
            {
                if (terms.Count == MaxTerms) break;
                if (seen.Add(w)) terms.Add(w);
            }
        }
        return terms;
    }

    /// <summary>Lower-case runs of letters and digits, in order, with repeats.</summary>
    public static IReadOnlyList<string> Tokenize(string? text)
    {
        var words = new List<string>();
        if (string.IsNullOrEmpty(text)) return words;
        var current = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                current.Append(char.ToLowerInvariant(c));
            }
            else if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
        if (current.Length > 0) words.Add(current.ToString());
        return words;
    }

    public static bool IsStopWord(string lowerCaseWord) => StopWords.Contains(lowerCaseWord);

    private static readonly FrozenSet<string> StopWords = new[]
    {
        "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at",
        "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
        "can", "could", "did", "do", "does", "doing", "done", "down", "during",
        "each", "else", "ever", "few", "for", "from", "further",
        "had", "has", "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his",
        "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just",
        "me", "might", "more", "most", "must", "my", "myself",
        "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "ought", "our", "ours",
        "ourselves", "out", "over", "own", "s", "same", "shall", "she", "should", "so", "some", "such",
        "t", "than", "that", "the", "their", "theirs", "them", "themselves", "then", "there", "these", "they",
        "this", "those", "through", "to", "too", "under", "until", "up", "very",
        "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "whose", "why", "will",
        "with", "would", "you", "your", "yours", "yourself", "yourselves",
        "d", "ll", "m", "re", "ve", "don", "doesn", "didn", "isn", "wasn", "aren", "weren", "won",
        "also", "anything", "something", "tell", "know", "please", "kind", "sort",
    }.ToFrozenSet(StringComparer.Ordinal);
}
