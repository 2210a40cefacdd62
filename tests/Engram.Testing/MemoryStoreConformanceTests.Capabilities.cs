using System.Collections.Concurrent;
using Engram.Core.Model;
using Engram.Core.Security;
using Engram.Core.Services;
using Engram.Core.Storage;

namespace Engram.Testing;

/// <summary>
/// The capabilities beside memories that every store offers (<see cref="IEngramStore"/>): change feed, queue,
/// API keys and usage ledger. "Two handles" are two store objects on the same data, as two servers (or a
/// server and a hook) are: what one writes, the other must see, and work is never handed out twice.
/// </summary>
public abstract partial class MemoryStoreConformanceTests
{
    /// <summary>A second, independent store object on the same data as <paramref name="store"/> (using <see cref="Clock"/>).</summary>
    protected abstract Task<IEngramStore> OpenAgainAsync(IEngramStore store);

    private async Task<IEngramStore> SecondHandleAsync(IEngramStore store)
    {
        var again = await OpenAgainAsync(store);
        _stores.Add(again);
        return again;
    }

    [Fact]
    public async Task Change_feed_lists_every_change_in_order_and_resumes_from_a_position()
    {
        var (store, service) = await NewServiceAsync();
        Assert.Equal(0, await store.Changes.LatestChangeSeqAsync(TestContext.Current.CancellationToken));
        var one = await AddAsync(service, "the first note");
        var two = await AddAsync(service, "the second note");
        await service.UpdateAsync(one.Id, new MemoryUpdate { Content = "the first note, revised" }, cancellationToken: TestContext.Current.CancellationToken);
        await service.DeleteAsync(two.Id, cancellationToken: TestContext.Current.CancellationToken);
        await AddAsync(service, "elsewhere", new MemoryScope { Tenant = "acme" });

        var changes = await store.Changes.ReadChangesAsync(0, 100, TestContext.Current.CancellationToken);
        Assert.Equal([HistoryEvent.Add, HistoryEvent.Add, HistoryEvent.Update, HistoryEvent.Delete, HistoryEvent.Add], changes.Select(c => c.Entry.Event));
        Assert.Equal([one.Id, two.Id, one.Id, two.Id], changes.Take(4).Select(c => c.Entry.MemoryId));
        Assert.Equal("acme", changes[4].Entry.Scope.Tenant);
        Assert.True(changes.Zip(changes.Skip(1)).All(p => p.First.Seq < p.Second.Seq), "positions must increase");
        Assert.Equal(changes[^1].Seq, await store.Changes.LatestChangeSeqAsync(TestContext.Current.CancellationToken));
        Assert.Equal(changes.Skip(2).Select(c => c.Entry.Id), (await store.Changes.ReadChangesAsync(changes[1].Seq, 100, TestContext.Current.CancellationToken)).Select(c => c.Entry.Id));
        Assert.Equal(changes.Take(2).Select(c => c.Entry.Id), (await store.Changes.ReadChangesAsync(0, 2, TestContext.Current.CancellationToken)).Select(c => c.Entry.Id));
        Assert.Empty(await store.Changes.ReadChangesAsync(changes[^1].Seq, 100, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Changes_of_concurrent_writers_on_two_handles_are_read_once_each_in_order_while_they_happen()
    {
        var (store, service) = await NewServiceAsync();
        var other = new MemoryService(await SecondHandleAsync(store), time: Clock);
        const int Writers = 4, Each = 10;
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120)); // a hang guard only
        var seen = new List<ChangeRecord>();
        var reader = Task.Run(async () =>
        {
            long cursor = 0;
            while (seen.Count < Writers * Each)
            {
                var batch = await store.Changes.ReadChangesAsync(cursor, 7, guard.Token);
                seen.AddRange(batch);
                if (batch.Count > 0) cursor = batch[^1].Seq;
                else await Task.Delay(2, guard.Token);
            }
        }, guard.Token);
        var added = new ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            var through = w % 2 == 0 ? service : other;
            for (var i = 0; i < Each; i++) added.Add((await AddAsync(through, $"writer {w} note {i}")).Id);
        })));
        await reader;
        Assert.Equal(added.Order(StringComparer.Ordinal), seen.Select(c => c.Entry.MemoryId).Order(StringComparer.Ordinal));
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.Seq < p.Second.Seq), "positions must increase");
    }

    [Fact]
    public async Task Concurrent_claims_on_two_handles_never_hand_out_an_event_twice()
    {
        var store = await NewStoreAsync();
        var second = await SecondHandleAsync(store);
        for (var i = 0; i < 60; i++) Assert.True(await store.Queue.EnqueueAsync(new QueuedEvent { Kind = "hook", DedupeKey = $"e{i}", Payload = $"{{\"n\":{i}}}" }, TestContext.Current.CancellationToken));
        var claimed = new ConcurrentBag<long>();
        await Task.WhenAll(Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
        {
            var queue = (w % 2 == 0 ? store : second).Queue;
            while (await queue.ClaimAsync(5, TimeSpan.FromMinutes(5), $"worker-{w}") is { Count: > 0 } batch)
            {
                foreach (var e in batch)
                {
                    claimed.Add(e.Seq);
                    await queue.CompleteAsync(e.Seq);
                }
            }
        })));
        Assert.Equal(60, claimed.Count);
        Assert.Equal(60, claimed.Distinct().Count());
        Assert.Equal((0, 0), await second.Queue.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_lease_held_by_a_dead_handle_runs_out_and_another_handle_takes_the_event()
    {
        var store = await NewStoreAsync();
        var survivor = await SecondHandleAsync(store);
        await store.Queue.EnqueueAsync(new QueuedEvent { Kind = "hook", Payload = "{}" }, TestContext.Current.CancellationToken);
        var taken = Assert.Single(await store.Queue.ClaimAsync(10, TimeSpan.FromSeconds(30), "server-a", TestContext.Current.CancellationToken));
        Assert.Equal(["server-a"], await survivor.Queue.ListClaimantsAsync(TestContext.Current.CancellationToken));
        Assert.Empty(await survivor.Queue.ClaimAsync(10, TimeSpan.FromSeconds(30), "server-b", TestContext.Current.CancellationToken));
        Clock.Advance(TimeSpan.FromSeconds(31));
        Assert.Empty(await survivor.Queue.ListClaimantsAsync(TestContext.Current.CancellationToken));
        var again = Assert.Single(await survivor.Queue.ClaimAsync(10, TimeSpan.FromSeconds(30), "server-b", TestContext.Current.CancellationToken));
        Assert.Equal(taken.Seq, again.Seq);
        Assert.Equal(1, await survivor.Queue.ReleaseClaimsAsync("server-b", TestContext.Current.CancellationToken));
        Assert.Equal(taken.Seq, Assert.Single(await store.Queue.ClaimAsync(10, TimeSpan.FromSeconds(30), "server-a", TestContext.Current.CancellationToken)).Seq);
    }

    [Fact]
    public async Task The_same_dedupe_key_enqueued_at_once_on_two_handles_is_stored_once()
    {
        var store = await NewStoreAsync();
        var second = await SecondHandleAsync(store);
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            (i % 2 == 0 ? store : second).Queue.EnqueueAsync(new QueuedEvent { Kind = "hook", DedupeKey = "toolu_same", Payload = "{}" })));
        Assert.Equal(1, results.Count(r => r));
        Assert.Equal((1, 0), await store.Queue.CountAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Quarantined_and_failed_events_are_listed_hold_nothing_back_and_come_back_on_retry()
    {
        var store = await NewStoreAsync();
        var queue = store.Queue;
        Assert.True(await queue.QuarantineAsync(new QueuedEvent { Kind = "hook", DedupeKey = "bad-1", Payload = "{not json" }, "not JSON", TestContext.Current.CancellationToken));
        Assert.False(await queue.QuarantineAsync(new QueuedEvent { Kind = "hook", DedupeKey = "bad-1", Payload = "{not json" }, "not JSON", TestContext.Current.CancellationToken));
        Assert.True(await queue.EnqueueAsync(new QueuedEvent { Kind = "hook", DedupeKey = "good-1", Payload = "{}" }, TestContext.Current.CancellationToken));
        var claimed = Assert.Single(await queue.ClaimAsync(10, TimeSpan.FromMinutes(1), "w", TestContext.Current.CancellationToken));
        Assert.Equal("good-1", claimed.DedupeKey);
        await queue.FailAsync(claimed.Seq, "boom", maxAttempts: 1, cancellationToken: TestContext.Current.CancellationToken);

        var failed = await queue.ListFailedAsync(10, TestContext.Current.CancellationToken);
        Assert.Equal(["good-1", "bad-1"], failed.Select(e => e.DedupeKey));
        Assert.Equal(["boom", "not JSON"], failed.Select(e => e.LastError));
        Assert.Equal((0, 2), await queue.CountAsync(TestContext.Current.CancellationToken));
        Assert.Single(await queue.ListFailedAsync(1, TestContext.Current.CancellationToken));

        Assert.Equal(2, await queue.RetryFailedAsync(TestContext.Current.CancellationToken));
        Assert.Equal((2, 0), await queue.CountAsync(TestContext.Current.CancellationToken));
        var again = await queue.ClaimAsync(10, TimeSpan.FromMinutes(1), "w", TestContext.Current.CancellationToken);
        Assert.Equal(["bad-1", "good-1"], again.Select(e => e.DedupeKey));
        Assert.All(again, e => Assert.Equal(0, e.Attempts));
    }

    [Fact]
    public async Task Api_keys_are_found_by_hash_listed_and_revoked()
    {
        var store = await NewStoreAsync();
        var keys = store.ApiKeys;
        Assert.False(await keys.HasActiveApiKeysAsync(TestContext.Current.CancellationToken));
        var at = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var first = new ApiKey { Id = "01JA0000000000000000000001", Tenant = "acme", Name = "ci", Prefix = "engram_ab", CreatedAt = at };
        var second = new ApiKey { Id = "01JA0000000000000000000002", Tenant = "globex", Prefix = "engram_cd", CreatedAt = at.AddMinutes(1) };
        await keys.CreateApiKeyAsync(first, "hash-1", TestContext.Current.CancellationToken);
        await keys.CreateApiKeyAsync(second, "hash-2", TestContext.Current.CancellationToken);
        Assert.True(await keys.HasActiveApiKeysAsync(TestContext.Current.CancellationToken));
        Assert.Equal(first, await keys.FindActiveApiKeyAsync("hash-1", TestContext.Current.CancellationToken));
        Assert.Equal("globex", (await keys.FindActiveApiKeyAsync("hash-2", TestContext.Current.CancellationToken))?.Tenant);
        Assert.Null(await keys.FindActiveApiKeyAsync("hash-3", TestContext.Current.CancellationToken));

        Assert.True(await keys.RevokeApiKeyAsync(" " + first.Id.ToLowerInvariant() + " ", at.AddHours(1), TestContext.Current.CancellationToken));
        Assert.False(await keys.RevokeApiKeyAsync(first.Id, at.AddHours(2), TestContext.Current.CancellationToken));
        Assert.Null(await keys.FindActiveApiKeyAsync("hash-1", TestContext.Current.CancellationToken));
        var listed = await keys.ListApiKeysAsync(TestContext.Current.CancellationToken);
        Assert.Equal([first.Id, second.Id], listed.Select(k => k.Id));
        Assert.Equal(at.AddHours(1), listed[0].RevokedAt);
        Assert.True(listed[1].IsActive);
        Assert.True(await keys.RevokeApiKeyAsync(second.Id, at.AddHours(3), TestContext.Current.CancellationToken));
        Assert.False(await keys.HasActiveApiKeysAsync(TestContext.Current.CancellationToken));
        await Assert.ThrowsAnyAsync<Exception>(() => keys.CreateApiKeyAsync(second with { Id = "01JA0000000000000000000003" }, "hash-2", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Usage_accumulates_per_day_purpose_provider_and_model()
    {
        var store = await NewStoreAsync();
        var ledger = store.Usage;
        var day = new DateOnly(2026, 3, 1);
        await ledger.RecordAsync(new UsageRow(day, "extract", "openai", "gpt-4o-mini", 1, 100, 20), TestContext.Current.CancellationToken);
        await ledger.RecordAsync(new UsageRow(day, "extract", "openai", "gpt-4o-mini", 2, 50, 5), TestContext.Current.CancellationToken);
        await ledger.RecordAsync(new UsageRow(day, "reconcile", "openai", "gpt-4o-mini", 1, 10, 1), TestContext.Current.CancellationToken);
        await ledger.RecordAsync(new UsageRow(day.AddDays(1), "extract", "anthropic", "claude-haiku-4-5", 1, 7, 3), TestContext.Current.CancellationToken);
        await ledger.RecordAsync(new UsageRow(day.AddDays(-5), "extract", "openai", "gpt-4o-mini", 1, 1000, 1000), TestContext.Current.CancellationToken);

        Assert.Equal(186, await ledger.TokensOnAsync(day, TestContext.Current.CancellationToken));
        Assert.Equal(10, await ledger.TokensOnAsync(day.AddDays(1), TestContext.Current.CancellationToken));
        Assert.Equal(0, await ledger.TokensOnAsync(day.AddDays(2), TestContext.Current.CancellationToken));
        var rows = await ledger.UsageSinceAsync(day, TestContext.Current.CancellationToken);
        Assert.Equal(
            [
                new UsageRow(day.AddDays(1), "extract", "anthropic", "claude-haiku-4-5", 1, 7, 3),
                new UsageRow(day, "extract", "openai", "gpt-4o-mini", 3, 150, 25),
                new UsageRow(day, "reconcile", "openai", "gpt-4o-mini", 1, 10, 1),
            ], rows);
    }

    [Fact]
    public async Task Injections_are_kept_per_context_listed_by_session_and_by_memory_and_isolated_by_tenant()
    {
        var store = await NewStoreAsync();
        var log = store.Injections;
        var t0 = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        InjectionRecord Record(string context, string memory, int rank, DateTimeOffset at, string session = "s1", string tenant = MemoryScope.DefaultTenant) => new()
        {
            Tenant = tenant, SessionId = session, ContextId = context, Project = "github.com/acme/app", MemoryId = memory, Rank = rank,
            Reason = rank == 1 ? "standing" : "relevance", Detail = $"relevance 0.{rank}", Tokens = 10 * rank, Source = "session-start", InjectedAt = at,
        };
        await log.RecordInjectionsAsync([Record("c1", "m-a", 1, t0), Record("c1", "m-b", 2, t0)], TestContext.Current.CancellationToken);
        // Recorded again (a retried event): nothing changes, the first record wins.
        await log.RecordInjectionsAsync([Record("c1", "m-b", 7, t0.AddDays(1))], TestContext.Current.CancellationToken);
        await log.RecordInjectionsAsync([Record("c2", "m-b", 1, t0.AddHours(1)), Record("c3", "m-b", 1, t0.AddHours(2), session: "s2")], TestContext.Current.CancellationToken);
        await log.RecordInjectionsAsync([Record("c9", "m-b", 1, t0, tenant: "acme")], TestContext.Current.CancellationToken);
        await log.RecordInjectionsAsync([], TestContext.Current.CancellationToken);

        var session = await log.InjectionsForSessionAsync(MemoryScope.DefaultTenant, "s1", TestContext.Current.CancellationToken);
        Assert.Equal([("c1", "m-a", 1), ("c1", "m-b", 2), ("c2", "m-b", 1)], session.Select(r => (r.ContextId, r.MemoryId, r.Rank)));
        Assert.Equal(Record("c1", "m-b", 2, t0), session[1]);
        var ofMemory = await log.InjectionsOfMemoryAsync(MemoryScope.DefaultTenant, "m-b", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["c3", "c2", "c1"], ofMemory.Select(r => r.ContextId));
        Assert.Equal(["c3"], (await log.InjectionsOfMemoryAsync(MemoryScope.DefaultTenant, "m-b", limit: 1, cancellationToken: TestContext.Current.CancellationToken)).Select(r => r.ContextId));
        Assert.Equal(["c9"], (await log.InjectionsOfMemoryAsync("acme", "m-b", cancellationToken: TestContext.Current.CancellationToken)).Select(r => r.ContextId));
        Assert.Equal(["c9"], (await log.InjectionsForSessionAsync("acme", "s1", TestContext.Current.CancellationToken)).Select(r => r.ContextId));
        Assert.Empty(await log.InjectionsForSessionAsync(MemoryScope.DefaultTenant, "s3", TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_memory_added_on_one_handle_is_seen_and_searchable_on_the_other()
    {
        var (store, service) = await NewServiceAsync();
        var other = new MemoryService(await SecondHandleAsync(store), time: Clock);
        var memory = await AddAsync(service, "The release train leaves every second Tuesday");
        Assert.Equal(memory.Content, (await other.GetAsync(memory.Id, cancellationToken: TestContext.Current.CancellationToken))?.Content);
        Assert.Equal(memory.Id, (await other.SearchAsync(new SearchRequest { Query = "when does the release train leave", Filter = new MemoryFilter { UserId = "alice" } }, TestContext.Current.CancellationToken))[0].Memory.Id);
        var duplicate = (await other.AddAsync(new AddMemoryRequest { Content = memory.Content, Scope = Alice }, TestContext.Current.CancellationToken)).Results.Single();
        Assert.Equal(AddOutcome.Duplicate, duplicate.Outcome);
    }
}
