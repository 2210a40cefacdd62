using System.Buffers;

namespace Engram.Core.Privacy;

/// <summary>
/// Finds which rule literals occur in a text in one vectorised pass over it, instead of one search per
/// rule: on text without secrets the prefilter is most of the redactor's cost.
/// </summary>
internal sealed class LiteralIndex
{
    /// <summary>Shorter literals (".", ":") are searched on their own: they occur almost everywhere.</summary>
    public const int MinLength = 2;

    private readonly SearchValues<string> _any;
    private readonly Dictionary<char, string[]> _byFirst;

    public LiteralIndex(IEnumerable<string> literals)
    {
        var all = literals.Where(l => l.Length >= MinLength).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        _any = SearchValues.Create(all, StringComparison.OrdinalIgnoreCase);
        _byFirst = all.GroupBy(l => char.ToLowerInvariant(l[0])).ToDictionary(g => g.Key, g => g.ToArray());
    }

    /// <summary>The literals present in the text, compared without case.</summary>
    public HashSet<string> Present(string text)
    {
        var present = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var offset = 0;
        while (offset < text.Length)
        {
            var found = text.AsSpan(offset).IndexOfAny(_any);
            if (found < 0) break;
            var at = offset + found;
            if (_byFirst.TryGetValue(char.ToLowerInvariant(text[at]), out var candidates))
            {
                foreach (var literal in candidates)
                {
                    if (text.AsSpan(at).StartsWith(literal, StringComparison.OrdinalIgnoreCase)) present.Add(literal);
                }
            }
            offset = at + 1;
        }
        return present;
    }
}
