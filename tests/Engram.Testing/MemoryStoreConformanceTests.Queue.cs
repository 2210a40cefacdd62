using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Core.Storage;

namespace Engram.Testing;

/// <summary>The durable event queue every store keeps: claims, leases, retries, completion, and the raw events kept by session.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public async Task Queue_claims_leases_completes_and_retries()
    {
        var store = await NewStoreAsync();
        var queue = store.Queue;
        Assert.True(await queue.EnqueueAsync(new QueuedEvent { Kind = "hook", DedupeKey = "toolu_1", Payload = "{\"a\":1}" }, TestContext.Current.CancellationToken));
        Assert.False(await queue.EnqueueAsync(new QueuedEvent { Kind = "hook", DedupeKey = "toolu_1", Payload = "{\"a\":1}" }, TestContext.Current.CancellationToken));
        Assert.True(await queue.EnqueueAsync(new QueuedEvent { Kind = "hook", Payload = "{\"b\":2}" }, TestContext.Current.CancellationToken));

        var first = await queue.ClaimAsync(10, TimeSpan.FromMinutes(1), "w1", TestContext.Current.CancellationToken);
        Assert.Equal(2, first.Count);
        Assert.Equal("{\"a\":1}", first[0].Payload);
        Assert.Empty(await queue.ClaimAsync(10, TimeSpan.FromMinutes(1), "w2", TestContext.Current.CancellationToken));

        await queue.CompleteAsync(first[0].Seq, TestContext.Current.CancellationToken);
        await queue.FailAsync(first[1].Seq, "boom", maxAttempts: 2, cancellationToken: TestContext.Current.CancellationToken);
        var retry = await queue.ClaimAsync(10, TimeSpan.FromMinutes(1), "w2", TestContext.Current.CancellationToken);
        Assert.Equal(first[1].Seq, Assert.Single(retry).Seq);
        Assert.Equal(1, retry[0].Attempts);
        Assert.Equal("boom", retry[0].LastError);
        await queue.FailAsync(retry[0].Seq, "boom again", maxAttempts: 2, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(await queue.ClaimAsync(10, TimeSpan.FromMinutes(1), "w3", TestContext.Current.CancellationToken));
        Assert.Equal((0, 1), await queue.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Queue_keeps_raw_events_by_session_after_completion()
    {
        var store = await NewStoreAsync();
        var queue = store.Queue;
        await queue.EnqueueAsync(new QueuedEvent { Kind = "prompt", SessionKey = "s1", Payload = "{\"n\":1}" }, TestContext.Current.CancellationToken);
        await queue.EnqueueAsync(new QueuedEvent { Kind = "tool", SessionKey = "s2", Payload = "{\"n\":2}" }, TestContext.Current.CancellationToken);
        await queue.EnqueueAsync(new QueuedEvent { Kind = "tool", SessionKey = "s1", Payload = "{\"n\":3}" }, TestContext.Current.CancellationToken);
        foreach (var e in await queue.ClaimAsync(10, TimeSpan.FromMinutes(1), "w", TestContext.Current.CancellationToken)) await queue.CompleteAsync(e.Seq, TestContext.Current.CancellationToken);
        var s1 = await queue.ListSessionAsync("s1", TestContext.Current.CancellationToken);
        Assert.Equal(["{\"n\":1}", "{\"n\":3}"], s1.Select(e => e.Payload));
        Assert.All(s1, e => Assert.True(e.IsDone));
        Assert.Equal((0, 0), await queue.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Queue_reclaims_work_whose_lease_ran_out()
    {
        var store = await NewStoreAsync();
        var queue = store.Queue;
        await queue.EnqueueAsync(new QueuedEvent { Kind = "hook", Payload = "{}" }, TestContext.Current.CancellationToken);
        Assert.Single(await queue.ClaimAsync(1, TimeSpan.FromSeconds(30), "crashed-worker", TestContext.Current.CancellationToken));
        Assert.Empty(await queue.ClaimAsync(1, TimeSpan.FromSeconds(30), "w2", TestContext.Current.CancellationToken));
        Clock.Advance(TimeSpan.FromSeconds(31));
        var again = await queue.ClaimAsync(1, TimeSpan.FromSeconds(30), "w2", TestContext.Current.CancellationToken);
        Assert.Single(again);
        Assert.Equal((1, 0), await queue.CountAsync(TestContext.Current.CancellationToken));
    }
}

internal static class MemoryTestExtensions
{
    public static string Tenant(this Memory memory) => memory.Scope.Tenant;
}
