using Engram.Core.Model;
using Engram.Core.Storage;

namespace Engram.Core.Search;

/// <summary>
/// Neighbour-blended message vectors (Search:NeighbourVectorShare): which memories' vectors change when
/// some are embedded, which neighbours each one blends, and the blend itself. A message added to a session
/// changes its own vector and those of the messages before and after it, so those are rewritten too.
/// </summary>
public static class MessageNeighbours
{
    /// <summary>A memory whose vector is written, and the neighbours blended into it (none for other kinds).</summary>
    public sealed record Target(Memory Memory, IReadOnlyList<Memory> Neighbours);

    public static async Task<IReadOnlyList<Target>> PlanAsync(IMemoryStore store, IReadOnlyList<Memory> memories, CancellationToken cancellationToken)
    {
        var targets = new Dictionary<string, Target>(StringComparer.Ordinal);
        foreach (var memory in memories.Where(m => !IsSessionMessage(m))) targets[memory.Id] = new Target(memory, []);
        foreach (var session in memories.Where(IsSessionMessage).GroupBy(m => m.Scope))
        {
            var messages = new List<Memory>();
            var filter = MemoryFilter.For(session.Key) with { Kinds = [MemoryKind.Message] };
            await foreach (var m in store.ListChronologicalAsync(filter, cancellationToken)) messages.Add(m);
            var position = messages.Select((m, i) => (m.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
            foreach (var memory in session)
            {
                if (!position.TryGetValue(memory.Id, out var at))
                {
                    targets[memory.Id] = new Target(memory, []);
                    continue;
                }
                for (var i = Math.Max(0, at - 1); i <= Math.Min(messages.Count - 1, at + 1); i++)
                {
                    var neighbours = new List<Memory>(2);
                    if (i > 0) neighbours.Add(messages[i - 1]);
                    if (i < messages.Count - 1) neighbours.Add(messages[i + 1]);
                    // The batch's own copy wins: it holds the text being embedded now.
                    targets[messages[i].Id] = new Target(i == at ? memory : messages[i], neighbours);
                }
            }
        }
        return [.. targets.Values];
    }

    /// <summary>
    /// The rows whose vectors hold a share of the text at one point of a session (<paramref name="seq"/>, a message
    /// just deleted or changed): the nearest message before it, the message itself while it exists, and the nearest
    /// after it. <paramref name="before"/> is in time order, ending just before the point; <paramref name="after"/>
    /// starts at the point.
    /// </summary>
    public static IEnumerable<long> VectorsAround(IReadOnlyList<(long Seq, string Content)> before, IReadOnlyList<(long Seq, string Content)> after, long seq)
    {
        if (before.Count > 0) yield return before[^1].Seq;
        if (after.Count == 0) yield break;
        yield return after[0].Seq;
        if (after[0].Seq == seq && after.Count > 1) yield return after[1].Seq;
    }

    /// <summary>normalise(own + share * sum of neighbours).</summary>
    public static ReadOnlyMemory<float> Blend(ReadOnlyMemory<float> own, IReadOnlyList<ReadOnlyMemory<float>> neighbours, double share)
    {
        if (neighbours.Count == 0 || share <= 0) return own;
        var sum = own.ToArray();
        foreach (var neighbour in neighbours)
        {
            var n = neighbour.Span;
            for (var i = 0; i < sum.Length && i < n.Length; i++) sum[i] += (float)(share * n[i]);
        }
        var norm = Math.Sqrt(sum.Sum(x => (double)x * x));
        if (norm > 0) for (var i = 0; i < sum.Length; i++) sum[i] = (float)(sum[i] / norm);
        return sum;
    }

    private static bool IsSessionMessage(Memory memory) => memory.Kind == MemoryKind.Message && memory.Scope.SessionId.Length > 0;
}
