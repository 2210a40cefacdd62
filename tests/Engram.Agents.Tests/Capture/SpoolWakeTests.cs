using System.Text;
using Engram.Agents.Capture;
using Engram.Agents.Worker;

namespace Engram.Agents.Tests.Capture;

/// <summary>
/// The worker's pause ends when a waiting hook asks (real files, the real inotify watch), and events a
/// session-start hook holds stay out of the worker's reach until released, or until the hook that held them is long gone.
/// </summary>
public sealed class SpoolWakeTests : IDisposable
{
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("{\"session_id\":\"s1\",\"cwd\":\"/src/shop\"}");
    private readonly TempDirectory _home = new();
    private readonly Spool _spool;

    public SpoolWakeTests() => _spool = Spool.ForHome(_home.Path);

    public void Dispose() => _home.Dispose();

    /// <summary>A clock whose timers never fire: a pause under it can only end by a wake-up.</summary>
    private sealed class FrozenClock : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new Never();

        private sealed class Never : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    private static async Task<bool> EndsSoonAsync(Task pause) => await Task.WhenAny(pause, Task.Delay(TimeSpan.FromMilliseconds(300), TestContext.Current.CancellationToken)) == pause;

    [Fact]
    public async Task A_pause_ends_when_a_hook_asks_and_not_for_each_event_that_lands()
    {
        using var wake = new SpoolWake(_spool.Folder, HookLog.ForHome(_home.Path));
        var clock = new FrozenClock();

        var pause = wake.PauseAsync(TimeSpan.FromMilliseconds(500), clock, TestContext.Current.CancellationToken);
        File.WriteAllText(Path.Combine(_spool.Folder, ".unrelated.tmp"), "x");
        _spool.Write("claude-code", "post-tool-use", Payload, DateTimeOffset.UtcNow);
        Assert.True(_spool.Release(_spool.Write("claude-code", "session-start", Payload, DateTimeOffset.UtcNow, held: true)));
        Assert.False(await EndsSoonAsync(pause), "an event landing woke the worker");

        _spool.WakeWorker();
        await pause.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.Equal(2, _spool.Count());
        Assert.Empty(Directory.EnumerateFiles(_spool.Folder, Spool.WakePrefix + "*"));

        var next = wake.PauseAsync(TimeSpan.FromMilliseconds(500), clock, TestContext.Current.CancellationToken);
        Assert.False(await EndsSoonAsync(next), "a wake-up was left over from a request already answered");
        _spool.WakeWorker();
        await next.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Without_a_watch_a_waiting_hook_is_found_within_a_look_and_its_wake_file_taken()
    {
        // No inotify instance left (every .NET file watcher of every process takes one of the user's 128).
        using var wake = new SpoolWake(_spool.Folder, HookLog.ForHome(_home.Path), watch: false);
        await wake.PauseAsync(TimeSpan.FromMilliseconds(120), TimeProvider.System, TestContext.Current.CancellationToken); // runs its course

        var pause = wake.PauseAsync(TimeSpan.FromMinutes(5), TimeProvider.System, TestContext.Current.CancellationToken);
        _spool.Write("claude-code", "post-tool-use", Payload, DateTimeOffset.UtcNow);
        Assert.False(await EndsSoonAsync(pause), "an event landing woke the worker");
        _spool.WakeWorker();
        await pause.WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        Assert.Empty(Directory.EnumerateFiles(_spool.Folder, Spool.WakePrefix + "*"));
    }

    [Fact]
    public void A_held_event_is_read_only_once_released_or_once_its_hook_is_long_gone()
    {
        var released = _spool.Write("claude-code", "session-start", Payload, DateTimeOffset.UtcNow, held: true);
        var abandoned = _spool.Write("claude-code", "session-start", Payload, DateTimeOffset.UtcNow, held: true);
        Assert.Empty(_spool.Read());
        Assert.Equal(0, _spool.Count());

        Assert.True(_spool.Release(released));
        Assert.False(_spool.Release(released));
        Assert.Equal([released], _spool.Read().Select(e => e.Id));

        // A hook killed while it held its event: the worker releases it after a minute, so nothing is lost.
        var now = DateTimeOffset.UtcNow;
        _spool.CleanLeftovers(now);
        Assert.Equal([released], _spool.Read().Select(e => e.Id));
        _spool.CleanLeftovers(now + TimeSpan.FromMinutes(2));
        var events = _spool.Read().ToList();
        Assert.Equal([released, abandoned], events.Select(e => e.Id));
        Assert.Contains("\"payload\":{\"session_id\":\"s1\"", events[1].ToString(), StringComparison.Ordinal);
    }
}
