namespace Engram.Core.Search;

/// <summary>
/// What stores write to
/// <c>memories.search_context</c> (already in the schema, BM25 weight 0.4) for message memories. Each
/// message of a session is indexed with the text of the messages up to <c>window</c> places before
/// and after it in the same session (the nearest ones twice), so a reply ("Yes, a corgi!") is found by the words of the
/// question it answers. Measured on LoCoMo conversations 0-4: +16.2 points frac@10 (0.606 -> 0.768)
/// with window 2 at weight 0.4; window 1: +14.1, window 3: +15.7.
/// </summary>
public static class NeighbourContext
{
    /// <summary>
    /// The context text of every message of one session, given their indexed texts in order (content
    /// plus any index additions such as irregular base forms); null for a message without neighbours.
    /// </summary>
    public static IReadOnlyList<string?> Build(IReadOnlyList<string> sessionTexts, int window = 2)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(window);
        var contexts = new string?[sessionTexts.Count];
        for (var i = 0; i < sessionTexts.Count; i++)
        {
            var parts = new List<string>(2 * window + 2);
            for (var j = Math.Max(0, i - window); j <= Math.Min(sessionTexts.Count - 1, i + window); j++)
            {
                if (j == i) continue;
                parts.Add(sessionTexts[j]);
                if (Math.Abs(j - i) == 1) parts.Add(sessionTexts[j]);
            }
            contexts[i] = parts.Count == 0 ? null : string.Join('\n', parts);
        }
        return contexts;
    }

    /// <summary>
    /// Positions whose context changes when a message is appended at <paramref name="newIndex"/>: the
    /// <paramref name="window"/> messages before it (their "after" side grows). The store rewrites those
    /// rows' search_context in the insert's transaction.
    /// </summary>
    public static IEnumerable<int> AffectedByAppend(int newIndex, int window = 2) =>
        Enumerable.Range(Math.Max(0, newIndex - window), Math.Min(window, newIndex));
}
