using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Core.Storage;

namespace Engram.Testing;

/// <summary>
/// The behaviour every <see cref="IMemoryStore"/> must have, exercised through the real
/// <see cref="MemoryService"/>. A store's test class inherits this and says how to make a fresh store.
/// </summary>
public abstract partial class MemoryStoreConformanceTests : IAsyncDisposable
{
    private readonly List<IEngramStore> _stores = [];

    protected ManualTimeProvider Clock { get; } = new();

    /// <summary>A new, empty, initialised store.</summary>
    protected abstract Task<IEngramStore> CreateEmptyStoreAsync();

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected async Task<IEngramStore> NewStoreAsync()
    {
        var store = await CreateEmptyStoreAsync();
        _stores.Add(store);
        return store;
    }

    protected async Task<(IEngramStore Store, MemoryService Service)> NewServiceAsync(WordHashEmbeddingGenerator? embeddings = null)
    {
        var store = await NewStoreAsync();
        return (store, new MemoryService(store, embeddings: embeddings, time: Clock));
    }

    protected static MemoryScope Alice => new() { UserId = "alice" };

    protected static async Task<Memory> AddAsync(IMemoryService service, string text, MemoryScope? scope = null, MemoryKind kind = MemoryKind.Fact)
    {
        var result = await service.AddAsync(new AddMemoryRequest { Content = text, Scope = scope ?? Alice, Kind = kind });
        return result.Results.Single().Memory;
    }

    [Fact]
    public async Task Add_then_get_round_trips_every_field()
    {
        var (_, service) = await NewServiceAsync();
        var request = new AddMemoryRequest
        {
            Content = "Deploys go through the blue-green pipeline",
            Scope = new MemoryScope { Tenant = "acme", UserId = "alice", AgentId = "claude", Project = "github.com/acme/shop", SessionId = "s1" },
            Kind = MemoryKind.Observation,
            Type = "decision",
            Title = "Blue-green deploys",
            Facts = ["deploys are blue-green", "rollback takes one click"],
            Concepts = ["deployment"],
            FilesRead = ["deploy/pipeline.yml"],
            FilesModified = ["deploy/blue.yml"],
            Metadata = new Dictionary<string, string> { ["source"] = "review", ["ticket"] = "OPS-12" },
            Source = new MemorySource { ToolUseId = "toolu_1", EventIds = ["e1", "e2"] },
            Importance = 0.9,
            ValidFrom = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero),
        };
        var added = (await service.AddAsync(request, TestContext.Current.CancellationToken)).Results.Single();
        Assert.Equal(AddOutcome.Added, added.Outcome);

        var got = await service.GetAsync(added.Memory.Id, "acme", TestContext.Current.CancellationToken);
        Assert.NotNull(got);
        Assert.Equal(added.Memory.Id, got.Id);
        Assert.Equal(request.Scope, got.Scope);
        Assert.Equal(MemoryKind.Observation, got.Kind);
        Assert.Equal("decision", got.Type);
        Assert.Equal("Blue-green deploys", got.Title);
        Assert.Equal(request.Content, got.Content);
        Assert.Equal(request.Facts, got.Facts);
        Assert.Equal(request.Concepts, got.Concepts);
        Assert.Equal(request.FilesRead, got.FilesRead);
        Assert.Equal(request.FilesModified, got.FilesModified);
        Assert.Equal(request.Metadata, got.Metadata);
        Assert.Equal("toolu_1", got.Source.ToolUseId);
        Assert.Equal(["e1", "e2"], got.Source.EventIds);
        Assert.Equal(0.9, got.Importance);
        Assert.Equal(request.ValidFrom, got.ValidFrom);
        Assert.Equal(Clock.GetUtcNow(), got.CreatedAt);
        Assert.Null(got.ValidTo);
        Assert.Equal(added.Memory.ContentHash, got.ContentHash);
        Assert.Equal(added.Memory, got with { Facts = added.Memory.Facts, Concepts = added.Memory.Concepts, FilesRead = added.Memory.FilesRead, FilesModified = added.Memory.FilesModified, Metadata = added.Memory.Metadata, Source = added.Memory.Source, FileStates = added.Memory.FileStates });
    }

    [Fact]
    public async Task Ids_sort_by_creation_time()
    {
        var (_, service) = await NewServiceAsync();
        var first = await AddAsync(service, "first");
        Clock.Advance(TimeSpan.FromMilliseconds(1));
        var second = await AddAsync(service, "second");
        var third = await AddAsync(service, "third");
        Assert.True(string.CompareOrdinal(first.Id, second.Id) < 0);
        Assert.True(string.CompareOrdinal(second.Id, third.Id) < 0);
        Assert.True(MemoryId.IsValid(first.Id));
    }

    [Fact]
    public async Task Exact_duplicates_in_one_scope_are_stored_once()
    {
        var (_, service) = await NewServiceAsync();
        var first = await AddAsync(service, "Alice prefers tea.");
        var again = (await service.AddAsync(new AddMemoryRequest { Content = "  alice   PREFERS tea. ", Scope = Alice }, TestContext.Current.CancellationToken)).Results.Single();
        Assert.Equal(AddOutcome.Duplicate, again.Outcome);
        Assert.Equal(first.Id, again.Memory.Id);

        var bob = await AddAsync(service, "Alice prefers tea.", new MemoryScope { UserId = "bob" });
        Assert.NotEqual(first.Id, bob.Id);
        var asPrompt = await AddAsync(service, "Alice prefers tea.", Alice, MemoryKind.Prompt);
        Assert.NotEqual(first.Id, asPrompt.Id);

        var all = await service.ListAsync(new MemoryFilter(), cancellationToken: TestContext.Current.CancellationToken).ToListAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(3, all.Count);
        Assert.Single(await service.GetHistoryAsync(first.Id, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Update_keeps_history_and_search_sees_only_the_new_text()
    {
        var (_, service) = await NewServiceAsync();
        var memory = await AddAsync(service, "The team meets on Mondays");
        Clock.Advance(TimeSpan.FromMinutes(5));
        var updated = await service.UpdateAsync(memory.Id, new MemoryUpdate { Content = "The team meets on Thursdays", Actor = "alice", Reason = "schedule moved" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("The team meets on Thursdays", updated.Content);
        Assert.Equal(Clock.GetUtcNow(), updated.UpdatedAt);

        var history = await service.GetHistoryAsync(memory.Id, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([HistoryEvent.Add, HistoryEvent.Update], history.Select(h => h.Event));
        Assert.Equal("The team meets on Mondays", history[1].OldValue);
        Assert.Equal("The team meets on Thursdays", history[1].NewValue);
        Assert.Equal("alice", history[1].Actor);
        Assert.Equal("schedule moved", history[1].Reason);

        Assert.Empty(await service.SearchAsync(new SearchRequest { Query = "mondays" }, TestContext.Current.CancellationToken));
        Assert.Single(await service.SearchAsync(new SearchRequest { Query = "thursdays" }, TestContext.Current.CancellationToken));
        Assert.Equal("The team meets on Thursdays", (await service.GetAsync(memory.Id, cancellationToken: TestContext.Current.CancellationToken))!.Content);
    }

    [Fact]
    public async Task Update_to_the_text_of_another_memory_is_refused()
    {
        var (_, service) = await NewServiceAsync();
        await AddAsync(service, "one fact");
        var other = await AddAsync(service, "another fact");
        var error = await Assert.ThrowsAsync<EngramException>(() => service.UpdateAsync(other.Id, new MemoryUpdate { Content = "One fact" }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("already says exactly this", error.Message, StringComparison.Ordinal);
        Assert.Equal("another fact", (await service.GetAsync(other.Id, cancellationToken: TestContext.Current.CancellationToken))!.Content);
    }

    [Fact]
    public async Task Update_of_a_missing_memory_throws_not_found()
    {
        var (_, service) = await NewServiceAsync();
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => service.UpdateAsync("01JAAAAAAAAAAAAAAAAAAAAAAA", new MemoryUpdate { Content = "x" }, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Delete_removes_from_get_list_and_search_but_keeps_history()
    {
        var (_, service) = await NewServiceAsync();
        var memory = await AddAsync(service, "Temporary note about the release freeze");
        Assert.True(await service.DeleteAsync(memory.Id, reason: "obsolete", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Null(await service.GetAsync(memory.Id, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Empty(await service.ListAsync(new MemoryFilter(), cancellationToken: TestContext.Current.CancellationToken).ToListAsync(cancellationToken: TestContext.Current.CancellationToken));
        Assert.Empty(await service.SearchAsync(new SearchRequest { Query = "release freeze" }, TestContext.Current.CancellationToken));
        var history = await service.GetHistoryAsync(memory.Id, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([HistoryEvent.Add, HistoryEvent.Delete], history.Select(h => h.Event));
        Assert.Equal("obsolete", history[1].Reason);
        Assert.False(await service.DeleteAsync(memory.Id, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Delete_all_touches_only_the_given_scope()
    {
        var (_, service) = await NewServiceAsync();
        await AddAsync(service, "alice one");
        await AddAsync(service, "alice two");
        var bobs = await AddAsync(service, "bob one", new MemoryScope { UserId = "bob" });
        Assert.Equal(2, await service.DeleteAllAsync(new MemoryFilter { UserId = "alice" }, cancellationToken: TestContext.Current.CancellationToken));
        var left = await service.ListAsync(new MemoryFilter(), cancellationToken: TestContext.Current.CancellationToken).ToListAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(bobs.Id, Assert.Single(left).Id);
    }

    [Fact]
    public async Task List_filters_by_kind_time_metadata_and_orders_newest_first()
    {
        var (_, service) = await NewServiceAsync();
        var day = new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 5; i++)
        {
            await service.AddAsync(new AddMemoryRequest
            {
                Content = $"note {i}",
                Scope = Alice,
                Kind = i % 2 == 0 ? MemoryKind.Fact : MemoryKind.Prompt,
                ValidFrom = day.AddDays(i),
                Metadata = new Dictionary<string, string> { ["parity"] = i % 2 == 0 ? "even" : "odd" },
            }, TestContext.Current.CancellationToken);
        }
        var all = await service.ListAsync(new MemoryFilter { UserId = "alice" }, cancellationToken: TestContext.Current.CancellationToken).ToListAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["note 4", "note 3", "note 2", "note 1", "note 0"], all.Select(m => m.Content));
        Assert.Equal(2, (await service.ListAsync(new MemoryFilter(), limit: 2, cancellationToken: TestContext.Current.CancellationToken).ToListAsync(cancellationToken: TestContext.Current.CancellationToken)).Count);
        Assert.Equal(["note 3", "note 1"], (await service.ListAsync(new MemoryFilter { Kinds = [MemoryKind.Prompt] }, cancellationToken: TestContext.Current.CancellationToken).ToListAsync(cancellationToken: TestContext.Current.CancellationToken)).Select(m => m.Content));
        Assert.Equal(["note 3", "note 2"], (await service.ListAsync(new MemoryFilter { Since = day.AddDays(2), Until = day.AddDays(4) }, cancellationToken: TestContext.Current.CancellationToken).ToListAsync(cancellationToken: TestContext.Current.CancellationToken)).Select(m => m.Content));
        Assert.Equal(["note 4", "note 2", "note 0"], (await service.ListAsync(new MemoryFilter { Metadata = new Dictionary<string, string> { ["parity"] = "even" } }, cancellationToken: TestContext.Current.CancellationToken).ToListAsync(cancellationToken: TestContext.Current.CancellationToken)).Select(m => m.Content));
        var hits = await service.SearchAsync(new SearchRequest { Query = "note", Filter = new MemoryFilter { Kinds = [MemoryKind.Fact], Since = day.AddDays(1) } }, TestContext.Current.CancellationToken);
        Assert.Equal(["note 2", "note 4"], hits.Select(h => h.Memory.Content).Order());
    }

    [Fact]
    public async Task Superseded_memories_stay_but_are_not_current()
    {
        var (store, service) = await NewServiceAsync();
        var old = await AddAsync(service, "Alice lives in Berlin");
        var current = await AddAsync(service, "Alice moved to Lisbon");
        var superseded = old with { ValidTo = Clock.GetUtcNow(), SupersededBy = current.Id };
        await store.UpdateAsync(superseded, new HistoryEntry
        {
            Id = MemoryId.System.Next(), MemoryId = old.Id, Scope = old.Scope, Event = HistoryEvent.Supersede,
            Actor = "test", At = Clock.GetUtcNow(), OldValue = old.Content, NewValue = current.Content,
        }, TestContext.Current.CancellationToken);

        Assert.Equal([current.Id], (await service.ListAsync(new MemoryFilter(), cancellationToken: TestContext.Current.CancellationToken).ToListAsync(cancellationToken: TestContext.Current.CancellationToken)).Select(m => m.Id));
        Assert.Equal(2, (await service.ListAsync(new MemoryFilter { IncludeSuperseded = true }, cancellationToken: TestContext.Current.CancellationToken).ToListAsync(cancellationToken: TestContext.Current.CancellationToken)).Count);
        Assert.DoesNotContain(await service.SearchAsync(new SearchRequest { Query = "Alice Berlin" }, TestContext.Current.CancellationToken), h => h.Memory.Id == old.Id);
        var fetched = await service.GetAsync(old.Id, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(current.Id, fetched!.SupersededBy);
        Assert.False(fetched.IsCurrent);
        // The same text may be stored again once the old one is no longer current.
        var again = await AddAsync(service, "Alice lives in Berlin");
        Assert.NotEqual(old.Id, again.Id);
    }

    [Fact]
    public async Task Tenants_never_see_each_other()
    {
        var (_, service) = await NewServiceAsync();
        var acme = (await service.AddAsync(new AddMemoryRequest { Content = "acme secret plan", Scope = new MemoryScope { Tenant = "acme" } }, TestContext.Current.CancellationToken)).Results[0].Memory;
        Assert.Null(await service.GetAsync(acme.Id, "globex", TestContext.Current.CancellationToken));
        Assert.Empty(await service.SearchAsync(new SearchRequest { Query = "secret plan", Filter = new MemoryFilter { Tenant = "globex" } }, TestContext.Current.CancellationToken));
        Assert.Empty(await service.GetHistoryAsync(acme.Id, "globex", TestContext.Current.CancellationToken));
        Assert.False(await service.DeleteAsync(acme.Id, "globex", cancellationToken: TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => service.UpdateAsync(acme.Id, new MemoryUpdate { Content = "hijack" }, "globex", TestContext.Current.CancellationToken));
        Assert.Equal("acme secret plan", (await service.GetAsync(acme.Id, "acme", TestContext.Current.CancellationToken))!.Content);
    }

    [Fact]
    public async Task Import_is_lossless_and_idempotent()
    {
        var (source, service) = await NewServiceAsync();
        var memory = await AddAsync(service, "original text");
        await service.UpdateAsync(memory.Id, new MemoryUpdate { Content = "edited text" }, cancellationToken: TestContext.Current.CancellationToken);
        var gone = await AddAsync(service, "deleted later");
        await service.DeleteAsync(gone.Id, cancellationToken: TestContext.Current.CancellationToken);

        var target = await NewStoreAsync();
        var exported = await source.ListAsync(new MemoryFilter { IncludeSuperseded = true }, cancellationToken: TestContext.Current.CancellationToken).ToListAsync(cancellationToken: TestContext.Current.CancellationToken);
        var orphans = await source.ListOrphanHistoryAsync(new MemoryFilter(), TestContext.Current.CancellationToken).ToListAsync(cancellationToken: TestContext.Current.CancellationToken);
        for (var round = 0; round < 2; round++)
        {
            foreach (var m in exported)
            {
                var inserted = await target.ImportAsync(m, await source.GetHistoryAsync(m.Tenant(), m.Id, TestContext.Current.CancellationToken), TestContext.Current.CancellationToken);
                Assert.Equal(round == 0, inserted);
            }
            await target.ImportAsync(null, orphans, TestContext.Current.CancellationToken);
        }
        var imported = await target.GetAsync(MemoryScope.DefaultTenant, memory.Id, TestContext.Current.CancellationToken);
        Assert.Equal((await source.GetAsync(MemoryScope.DefaultTenant, memory.Id, TestContext.Current.CancellationToken))!.Content, imported!.Content);
        Assert.Equal(2, (await target.GetHistoryAsync(MemoryScope.DefaultTenant, memory.Id, TestContext.Current.CancellationToken)).Count);
        Assert.Equal(2, (await target.GetHistoryAsync(MemoryScope.DefaultTenant, gone.Id, TestContext.Current.CancellationToken)).Count);
        var stats = await target.GetStatsAsync(MemoryScope.DefaultTenant, TestContext.Current.CancellationToken);
        Assert.Equal(1, stats.Memories);
        Assert.Equal(4, stats.HistoryEntries);
    }

    [Fact]
    public async Task Stats_count_by_kind_and_project()
    {
        var (store, service) = await NewServiceAsync();
        await AddAsync(service, "a", new MemoryScope { Project = "p1" });
        await AddAsync(service, "b", new MemoryScope { Project = "p1" }, MemoryKind.Observation);
        await AddAsync(service, "c", new MemoryScope { Project = "p2" });
        var stats = await store.GetStatsAsync(MemoryScope.DefaultTenant, TestContext.Current.CancellationToken);
        Assert.Equal(3, stats.Memories);
        Assert.Equal(2, stats.ByKind["fact"]);
        Assert.Equal(1, stats.ByKind["observation"]);
        Assert.Equal(2, stats.ByProject["p1"]);
        Assert.Equal(3, stats.HistoryEntries);
    }

    [Fact]
    public async Task Reset_erases_everything()
    {
        var (store, service) = await NewServiceAsync();
        await AddAsync(service, "one");
        await AddAsync(service, "two", new MemoryScope { Tenant = "other" });
        await store.Queue.EnqueueAsync(new QueuedEvent { Kind = "k", Payload = "{}" }, TestContext.Current.CancellationToken);
        await service.ResetAsync(TestContext.Current.CancellationToken);
        Assert.Equal(0, (await store.GetStatsAsync(MemoryScope.DefaultTenant, TestContext.Current.CancellationToken)).HistoryEntries);
        Assert.Equal(0, (await store.GetStatsAsync("other", TestContext.Current.CancellationToken)).Memories);
        Assert.Equal((0, 0), await store.Queue.CountAsync(TestContext.Current.CancellationToken));
        Assert.Empty(await service.SearchAsync(new SearchRequest { Query = "one" }, TestContext.Current.CancellationToken));
        await AddAsync(service, "one");
        Assert.Single(await service.SearchAsync(new SearchRequest { Query = "one" }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_source_key_is_stored_once_per_scope_even_with_different_text()
    {
        var (_, service) = await NewServiceAsync();
        var scope = new MemoryScope { Project = "p", SessionId = "s1" };
        var first = await service.AddAsync(new AddMemoryRequest { Content = "modified a.cs", Scope = scope, Kind = MemoryKind.Observation, Source = new MemorySource { ExternalId = "toolu_1" } }, TestContext.Current.CancellationToken);
        var again = await service.AddAsync(new AddMemoryRequest { Content = "modified a.cs: renamed Foo", Scope = scope, Kind = MemoryKind.Observation, Source = new MemorySource { ExternalId = "toolu_1" } }, TestContext.Current.CancellationToken);
        Assert.Equal(AddOutcome.Duplicate, again.Results[0].Outcome);
        Assert.Equal(first.Results[0].Memory.Id, again.Results[0].Memory.Id);
        var elsewhere = await service.AddAsync(new AddMemoryRequest { Content = "modified a.cs", Scope = scope with { SessionId = "s2" }, Kind = MemoryKind.Observation, Source = new MemorySource { ExternalId = "toolu_1" } }, TestContext.Current.CancellationToken);
        Assert.Equal(AddOutcome.Added, elsewhere.Results[0].Outcome);
    }

    [Fact]
    public async Task Secrets_and_private_text_are_filtered_on_every_add_and_update()
    {
        var (_, service) = await NewServiceAsync();
        var memory = await AddAsync(service, "Deploy key is ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 <private>and my PIN is 4321</private> ok");
        Assert.DoesNotContain("ghp_", memory.Content, StringComparison.Ordinal);
        Assert.DoesNotContain("4321", memory.Content, StringComparison.Ordinal);
        Assert.Contains("[REDACTED:github-token]", memory.Content, StringComparison.Ordinal);
        var updated = await service.UpdateAsync(memory.Id, new MemoryUpdate { Content = "DB_PASSWORD=hunter2-horse is set in CI" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.DoesNotContain("hunter2-horse", updated.Content, StringComparison.Ordinal);
        Assert.DoesNotContain(await service.GetHistoryAsync(memory.Id, cancellationToken: TestContext.Current.CancellationToken), h => (h.NewValue ?? "").Contains("hunter2", StringComparison.Ordinal));
        var error = await Assert.ThrowsAsync<EngramException>(() => AddAsync(service, "<private>all of it</private>"));
        Assert.Contains("<private>", error.Message, StringComparison.Ordinal);
    }
}
