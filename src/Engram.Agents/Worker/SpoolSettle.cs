namespace Engram.Agents.Worker;

/// <summary>
/// When the worker files what waits in the spool. While events keep landing (an agent mid-session fires its hooks
/// milliseconds apart) it lets the burst finish, because a drain then runs on the cores the agent is using: in real
/// <c>claude -p</c> sessions that put Engram 30-80 ms above what the same hooks and MCP server doing nothing cost, and
/// about 10 ms once the drains waited. It drains at once when a hook asks (a session start waiting for its context),
/// when the spool did not grow over the last pause, or when events have been waiting for <paramref name="maxWait"/>.
/// </summary>
internal sealed class SpoolSettle(TimeSpan maxWait)
{
    private int _seen;
    private DateTimeOffset? _waitingSince;

    /// <param name="waiting">Events in the spool now.</param>
    /// <param name="asked">A hook asked for a pass since the last one.</param>
    public bool DrainNow(int waiting, DateTimeOffset now, bool asked)
    {
        if (waiting == 0)
        {
            _seen = 0;
            _waitingSince = null;
            return true; // nothing lands: the pass only works through the queue
        }
        _waitingSince ??= now;
        var growing = waiting > _seen;
        _seen = waiting;
        return asked || !growing || now - _waitingSince >= maxWait;
    }

    /// <summary>The spool was taken in: whatever is there at the next pass landed since.</summary>
    public void Drained()
    {
        _seen = 0;
        _waitingSince = null;
    }
}
