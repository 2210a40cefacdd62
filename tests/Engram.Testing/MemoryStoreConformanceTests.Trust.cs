using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Services;

namespace Engram.Testing;

/// <summary>Expiry, consolidation counts and file states: stored, changed and honoured the same way by every store.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public async Task Expiry_occurrences_and_file_states_round_trip_through_add_update_and_import()
    {
        var (store, service) = await NewServiceAsync();
        var expires = Clock.GetUtcNow().AddDays(30);
        FileState[] files = [new() { Path = "/repo/src/Cart.cs", Hash = "ab12", StartLine = 10, EndLine = 24 }, new() { Path = "/repo/README.md", Hash = "" }];
        var added = (await service.AddAsync(new AddMemoryRequest
        {
            Content = "Cart totals round half-even",
            Scope = Alice,
            Kind = MemoryKind.Observation,
            ExpiresAt = expires,
            FileStates = files,
        }, TestContext.Current.CancellationToken)).Results.Single().Memory;

        var got = await service.GetAsync(added.Id, cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotNull(got);
        Assert.Equal(expires, got.ExpiresAt);
        Assert.Equal(files, got.FileStates);
        Assert.Equal(1, got.Occurrences);

        // A consolidated memory carries its count; the store keeps it with everything else.
        await store.UpdateAsync(got with { Occurrences = 7 }, new HistoryEntry
        {
            Id = new MemoryId(Clock).Next(),
            MemoryId = got.Id,
            Scope = got.Scope,
            Event = HistoryEvent.Update,
            Actor = "test",
            At = Clock.GetUtcNow(),
        }, TestContext.Current.CancellationToken);
        var later = Clock.GetUtcNow().AddDays(90);
        var updated = await service.UpdateAsync(got.Id, new MemoryUpdate { ExpiresAt = later }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(later, updated.ExpiresAt);
        got = await service.GetAsync(got.Id, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(7, got!.Occurrences);
        Assert.Equal(later, got.ExpiresAt);
        Assert.Equal(files, got.FileStates);

        var cleared = await service.UpdateAsync(got.Id, new MemoryUpdate { ClearExpiry = true }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Null(cleared.ExpiresAt);
        Assert.Null((await service.GetAsync(got.Id, cancellationToken: TestContext.Current.CancellationToken))!.ExpiresAt);

        var target = await NewStoreAsync();
        Assert.True(await target.ImportAsync(got, await store.GetHistoryAsync(got.Scope.Tenant, got.Id, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken));
        var copied = await target.GetAsync(got.Scope.Tenant, got.Id, TestContext.Current.CancellationToken);
        Assert.Equal(7, copied!.Occurrences);
        Assert.Equal(files, copied.FileStates);
    }

    [Fact]
    public async Task An_expired_memory_leaves_search_and_lists_but_stays_readable_by_id()
    {
        var (_, service) = await NewServiceAsync();
        var soon = (await service.AddAsync(new AddMemoryRequest
        {
            Content = "The staging database is frozen for the migration this week",
            Scope = Alice,
            ExpiresAt = Clock.GetUtcNow().AddHours(2),
        }, TestContext.Current.CancellationToken)).Results.Single().Memory;
        var lasting = await AddAsync(service, "The staging database runs PostgreSQL 15");

        var before = await service.SearchAsync(new SearchRequest { Query = "staging database", Filter = MemoryFilter.For(Alice), RecordAccess = false }, TestContext.Current.CancellationToken);
        Assert.Contains(before, h => h.Memory.Id == soon.Id);

        Clock.Advance(TimeSpan.FromHours(3));
        var after = await service.SearchAsync(new SearchRequest { Query = "staging database", Filter = MemoryFilter.For(Alice), RecordAccess = false }, TestContext.Current.CancellationToken);
        Assert.DoesNotContain(after, h => h.Memory.Id == soon.Id);
        Assert.Contains(after, h => h.Memory.Id == lasting.Id);
        var listed = await service.ListAsync(MemoryFilter.For(Alice), cancellationToken: TestContext.Current.CancellationToken).ToListAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([lasting.Id], listed.Select(m => m.Id));
        Assert.NotNull(await service.GetAsync(soon.Id, cancellationToken: TestContext.Current.CancellationToken));
        var all = await service.ListAsync(MemoryFilter.For(Alice) with { IncludeSuperseded = true }, cancellationToken: TestContext.Current.CancellationToken).ToListAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Contains(all, m => m.Id == soon.Id);
    }

    [Fact]
    public async Task An_expiry_in_the_past_is_refused_naming_the_time_and_stores_nothing()
    {
        var (_, service) = await NewServiceAsync();
        var past = Clock.GetUtcNow().AddMinutes(-1);
        var error = await Assert.ThrowsAsync<EngramException>(() => service.AddAsync(new AddMemoryRequest { Content = "short-lived", Scope = Alice, ExpiresAt = past }, TestContext.Current.CancellationToken));
        Assert.Contains("not in the future", error.Message, StringComparison.Ordinal);
        Assert.Empty(await service.ListAsync(MemoryFilter.For(Alice) with { IncludeSuperseded = true }, cancellationToken: TestContext.Current.CancellationToken).ToListAsync(cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task The_same_text_added_after_it_expired_is_a_new_memory_and_the_old_one_is_superseded()
    {
        var (_, service) = await NewServiceAsync();
        var first = (await service.AddAsync(new AddMemoryRequest { Content = "Code freeze until Friday", Scope = Alice, ExpiresAt = Clock.GetUtcNow().AddDays(1) }, TestContext.Current.CancellationToken)).Results.Single().Memory;
        Clock.Advance(TimeSpan.FromDays(2));
        var again = (await service.AddAsync(new AddMemoryRequest { Content = "Code freeze until Friday", Scope = Alice }, TestContext.Current.CancellationToken)).Results.Single();
        Assert.Equal(AddOutcome.Added, again.Outcome);
        Assert.NotEqual(first.Id, again.Memory.Id);
        var old = await service.GetAsync(first.Id, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(again.Memory.Id, old!.SupersededBy);
        Assert.Equal(HistoryEvent.Supersede, (await service.GetHistoryAsync(first.Id, cancellationToken: TestContext.Current.CancellationToken))[^1].Event);
    }
}
