using System.Globalization;
using Engram.Core;

namespace Engram.Eval;

/// <summary>
/// Conversation indices written as ranges and lists: "0-4", "5,7", "0-2, 8". Indices count from 0 in
/// the order of the data file.
/// </summary>
public static class ConversationSelection
{
    /// <summary>The indices the text names, ascending and distinct.</summary>
    public static IReadOnlyList<int> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var indices = new SortedSet<int>();
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw Invalid(text, "it names no conversation");
        foreach (var part in parts)
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0)
            {
                indices.Add(Number(text, part));
                continue;
            }
            var first = Number(text, part[..dash].Trim());
            var last = Number(text, part[(dash + 1)..].Trim());
            if (last < first) throw Invalid(text, $"range '{part}' runs backwards");
            for (var i = first; i <= last; i++) indices.Add(i);
        }
        return [.. indices];
    }

    /// <summary>
    /// The indices of <paramref name="text"/> (every conversation when it is null or blank), checked
    /// against the number of conversations in the data.
    /// </summary>
    public static IReadOnlyList<int> Resolve(string? text, int count)
    {
        if (string.IsNullOrWhiteSpace(text)) return Enumerable.Range(0, count).ToList();
        var indices = Parse(text);
        var outside = indices.FirstOrDefault(i => i >= count, -1);
        if (outside >= 0)
        {
            throw new EngramException(count == 0
                ? $"conversation {outside} does not exist: the data has no conversations"
                : $"conversation {outside} does not exist: the data has {count} conversations, numbered 0-{count - 1}");
        }
        return indices;
    }

    private static int Number(string text, string part) =>
        int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n < 1_000_000
            ? n
            : throw Invalid(text, $"'{part}' is not a conversation number");

    private static EngramException Invalid(string text, string problem) =>
        new($"conversation selection '{text}' is invalid: {problem}; use ranges and lists such as 0-4 or 5,7");
}
