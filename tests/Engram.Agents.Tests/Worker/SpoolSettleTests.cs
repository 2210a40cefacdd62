using Engram.Agents.Worker;

namespace Engram.Agents.Tests.Worker;

/// <summary>The worker lets a burst of hook events finish before filing it, but never past a waiting hook or the longest wait.</summary>
public sealed class SpoolSettleTests
{
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(500);
    private readonly SpoolSettle _settle = new(TimeSpan.FromSeconds(5));
    private DateTimeOffset _now = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    /// <summary>One pass of the worker's loop that finds <paramref name="waiting"/> events; true when it drained them.</summary>
    private bool Pass(int waiting, bool asked = false)
    {
        var drain = _settle.DrainNow(waiting, _now, asked);
        if (drain) _settle.Drained();
        _now += Pause;
        return drain;
    }

    [Fact]
    public void A_burst_is_filed_once_the_spool_stops_growing()
    {
        Assert.True(Pass(0));
        Assert.False(Pass(2));
        Assert.False(Pass(5));
        Assert.True(Pass(5)); // no new event over a pause: the burst is over
        Assert.True(Pass(0));
        Assert.False(Pass(1)); // the next burst settles again
        Assert.True(Pass(1));
    }

    [Fact]
    public void A_waiting_hook_is_answered_at_once()
    {
        Assert.False(Pass(3));
        Assert.True(Pass(4, asked: true));
    }

    [Fact]
    public void Events_that_never_stop_landing_are_filed_after_the_longest_wait()
    {
        // One more event at every pass for 15 s: filed each time the first of them has waited 5 s, never later.
        var pending = 0;
        var drainedAt = new List<int>();
        for (var pass = 1; pass <= 30; pass++)
        {
            pending++;
            if (!Pass(pending)) continue;
            drainedAt.Add(pass);
            pending = 0;
        }
        Assert.Equal([11, 22], drainedAt); // first seen at passes 1 and 12, ten pauses (5 s) earlier
    }
}
