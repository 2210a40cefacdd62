using Engram.Agents.Worker;

namespace Engram.Agents.Tests.Worker;

public sealed class WorkerLockTests : IDisposable
{
    private readonly TempDirectory _home = new();

    public void Dispose() => _home.Dispose();

    private DateTimeOffset ClaimTime => new(File.GetLastWriteTimeUtc(WorkerLock.StartClaimPathIn(_home.Path)), TimeSpan.Zero);

    [Fact]
    public void One_claim_to_start_the_worker_holds_off_the_next_until_it_is_stale()
    {
        var now = TimeProvider.System.GetUtcNow();
        Assert.True(WorkerLock.TryClaimStart(_home.Path, now));
        Assert.False(WorkerLock.TryClaimStart(_home.Path, now));
        Assert.False(WorkerLock.TryClaimStart(_home.Path, ClaimTime + WorkerLock.StartClaimLifetime - TimeSpan.FromSeconds(1)));

        // The worker never came up: a later hook claims again and restarts the clock.
        var later = ClaimTime + WorkerLock.StartClaimLifetime + TimeSpan.FromSeconds(1);
        Assert.True(WorkerLock.TryClaimStart(_home.Path, later));
        Assert.False(WorkerLock.TryClaimStart(_home.Path, later));
        Assert.Equal(later.UtcDateTime, ClaimTime.UtcDateTime, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public void The_worker_holding_its_lock_withdraws_the_claim_and_a_probe_does_not()
    {
        Assert.True(WorkerLock.TryClaimStart(_home.Path, TimeProvider.System.GetUtcNow()));
        Assert.False(WorkerLock.IsRunning(_home.Path)); // a hook's probe takes and drops the lock: the claim stays
        Assert.True(File.Exists(WorkerLock.StartClaimPathIn(_home.Path)));

        using (var held = WorkerLock.TryHold(_home.Path))
        {
            Assert.NotNull(held);
            Assert.False(File.Exists(WorkerLock.StartClaimPathIn(_home.Path)));
            Assert.True(WorkerLock.IsRunning(_home.Path));
            Assert.Null(WorkerLock.TryHold(_home.Path));
        }
        // Once that worker has gone (idle), the next hook may start one at once.
        Assert.True(WorkerLock.TryClaimStart(_home.Path, TimeProvider.System.GetUtcNow()));
    }
}
