using Engram.Core.Model;

namespace Engram.Core.Services;

/// <summary>What happened around one memory: its neighbours in time, within its session (or its project when it has none).</summary>
public static class MemoryTimeline
{
    /// <summary>
    /// Up to <paramref name="before"/> memories before the anchor, the anchor, and up to <paramref name="after"/> after it,
    /// oldest first, among the memories <paramref name="visible"/> lets the caller see.
    /// </summary>
    public static async Task<IReadOnlyList<Memory>> AroundAsync(IMemoryService memory, Memory anchor, MemoryFilter visible, int before, int after,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var around = visible with
        {
            SessionId = Blank(anchor.Scope.SessionId),
            Project = anchor.Scope.SessionId.Length == 0 ? Blank(anchor.Scope.Project) : null,
        };
        var earlier = new List<Memory>();
        await foreach (var m in memory.ListAsync(around with { Until = anchor.ValidFrom }, before + 1, cancellationToken))
        {
            earlier.Add(m);
        }
        // Memories are listed newest first, so the oldest ones after the anchor are found in a window that
        // doubles until it holds enough of them (or reaches the present): bounded work in a long project.
        var sameTimeOrLater = new List<Memory>();
        var window = TimeSpan.FromHours(1);
        var horizon = time.GetUtcNow().AddDays(1);
        while (true)
        {
            sameTimeOrLater.Clear();
            var until = anchor.ValidFrom + window;
            await foreach (var m in memory.ListAsync(around with { Since = anchor.ValidFrom, Until = until }, null, cancellationToken))
            {
                if (m.Id != anchor.Id) sameTimeOrLater.Add(m);
            }
            if (sameTimeOrLater.Count > after || until > horizon) break;
            window *= 4;
        }
        static int Chronological(Memory a, Memory b)
        {
            var byTime = a.ValidFrom.CompareTo(b.ValidFrom);
            return byTime != 0 ? byTime : string.CompareOrdinal(a.Id, b.Id);
        }
        // Memories stamped in the anchor's own millisecond fall on either side of it by id.
        earlier.AddRange(sameTimeOrLater.Where(m => Chronological(m, anchor) < 0));
        earlier.Sort(Chronological);
        var later = sameTimeOrLater.Where(m => Chronological(m, anchor) > 0).ToList();
        later.Sort(Chronological);
        return [.. earlier.TakeLast(before).Append(anchor).Concat(later.Take(after))];
    }

    private static string? Blank(string value) => value.Length == 0 ? null : value;
}
