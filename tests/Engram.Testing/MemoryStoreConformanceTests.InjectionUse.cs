using Engram.Core.Model;
using Engram.Core.Search;
using Engram.Core.Services;
using Engram.Core.Storage;
using Microsoft.Extensions.AI;

namespace Engram.Testing;

/// <summary>
/// Memory that earns its place (which injections the agent fetched or acted on) and the privacy of blended
/// message vectors (a deleted or edited message leaves no share in its neighbours' vectors): the same in every store.
/// </summary>
public abstract partial class MemoryStoreConformanceTests
{
    private const string UseProject = "github.com/acme/app";

    private static InjectionRecord Injection(string session, string context, string memory, int rank, DateTimeOffset at, string tenant = MemoryScope.DefaultTenant) => new()
    {
        Tenant = tenant, SessionId = session, ContextId = context, Project = UseProject, MemoryId = memory, Rank = rank,
        Reason = "relevance", Tokens = 10 * rank, Source = "session-start", InjectedAt = at,
    };

    [Fact]
    public async Task A_fetch_marks_the_newest_injection_of_the_day_and_an_act_marks_the_sessions_injections_once()
    {
        var (store, service) = await NewServiceAsync();
        var log = store.Injections;
        var t0 = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        await log.RecordInjectionsAsync([Injection("s1", "c1", "m-a", 1, t0), Injection("s1", "c1", "m-b", 2, t0), Injection("s2", "c2", "m-b", 1, t0.AddHours(2))], TestContext.Current.CancellationToken);
        await log.RecordInjectionsAsync([Injection("s2", "c9", "m-b", 1, t0, tenant: "acme")], TestContext.Current.CancellationToken);

        Assert.Equal(1, await log.MarkFetchedAsync(MemoryScope.DefaultTenant, ["m-b"], "get_observations", t0.AddHours(3), TestContext.Current.CancellationToken));
        // The newest injection is marked already: a second fetch changes nothing, and an older context is not credited.
        Assert.Equal(0, await log.MarkFetchedAsync(MemoryScope.DefaultTenant, ["m-b"], "timeline", t0.AddHours(4), TestContext.Current.CancellationToken));
        // More than a day after its injection, a fetch is not put down to it.
        Assert.Equal(0, await log.MarkFetchedAsync(MemoryScope.DefaultTenant, ["m-a"], "rest", t0.AddDays(2), TestContext.Current.CancellationToken));
        Assert.Equal(2, await log.MarkActedOnAsync(MemoryScope.DefaultTenant, "s1", ["m-a", "m-b", "m-b"], "Edit /repo/src/Cart.cs", t0.AddHours(1), TestContext.Current.CancellationToken));
        Assert.Equal(0, await log.MarkActedOnAsync(MemoryScope.DefaultTenant, "s1", ["m-a"], "Read /repo/src/Cart.cs", t0.AddHours(5), TestContext.Current.CancellationToken));
        // An act before the memory was given is not an act on it.
        Assert.Equal(0, await log.MarkActedOnAsync(MemoryScope.DefaultTenant, "s2", ["m-b"], "Edit /repo/src/Cart.cs", t0.AddHours(1), TestContext.Current.CancellationToken));
        Assert.Equal(0, await log.MarkFetchedAsync(MemoryScope.DefaultTenant, [], "cli", t0, TestContext.Current.CancellationToken));

        var second = Assert.Single(await log.InjectionsForSessionAsync(MemoryScope.DefaultTenant, "s2", TestContext.Current.CancellationToken));
        Assert.Equal(t0.AddHours(3), second.FetchedAt);
        Assert.Equal("get_observations", second.FetchedVia);
        Assert.Null(second.ActedAt);
        var first = await log.InjectionsForSessionAsync(MemoryScope.DefaultTenant, "s1", TestContext.Current.CancellationToken);
        Assert.All(first, r => Assert.Equal((t0.AddHours(1), "Edit /repo/src/Cart.cs", (DateTimeOffset?)null), (r.ActedAt!.Value, r.ActedOn!, r.FetchedAt)));
        Assert.Null(Assert.Single(await log.InjectionsOfMemoryAsync("acme", "m-b", cancellationToken: TestContext.Current.CancellationToken)).FetchedAt);

        var use = await log.UseOfMemoriesAsync(MemoryScope.DefaultTenant, ["m-a", "m-b", "m-never"], TestContext.Current.CancellationToken);
        Assert.Equal(new InjectionUse(1, 0, 1), use["m-a"]);
        Assert.Equal(new InjectionUse(2, 1, 1), use["m-b"]);
        Assert.False(use.ContainsKey("m-never"));
        Assert.Empty(await log.UseOfMemoriesAsync(MemoryScope.DefaultTenant, [], TestContext.Current.CancellationToken));

        await AddAsync(service, "Cart totals round half-even", new MemoryScope { Project = UseProject }, MemoryKind.Observation);
        await AddAsync(service, "Prices are in cents", new MemoryScope { Project = UseProject });
        await AddAsync(service, "Deploys go out on Tuesdays", new MemoryScope { Project = UseProject });
        await AddAsync(service, "The user's name is Ana");
        var projects = await log.UseByProjectAsync(MemoryScope.DefaultTenant, TestContext.Current.CancellationToken);
        Assert.Equal(["", UseProject], projects.Select(p => p.Project));
        var app = projects[1];
        Assert.Equal([("fact", 2L), ("observation", 1L)], app.MemoriesByKind.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => (k.Key, k.Value)));
        Assert.Equal((3L, 2L, 2L, 40L, 1L, 2L, 3L), (app.Injections, app.InjectedMemories, app.Sessions, app.TokensInjected, app.Fetched, app.ActedOn, app.Used));
        Assert.Equal(0, projects[0].Injections);
        Assert.Equal(1, Assert.Single(await log.UseByProjectAsync("acme", TestContext.Current.CancellationToken)).Injections);
    }

    [Fact]
    public async Task A_fetch_through_the_service_marks_the_injection_it_answers()
    {
        var (store, service) = await NewServiceAsync();
        var memory = await AddAsync(service, "Cart totals round half-even", new MemoryScope { Project = UseProject });
        await store.Injections.RecordInjectionsAsync([Injection("s1", "c1", memory.Id, 1, Clock.GetUtcNow())], TestContext.Current.CancellationToken);
        Clock.Advance(TimeSpan.FromMinutes(5));
        await service.NoteFetchedAsync([memory.Id.ToUpperInvariant()], MemoryScope.DefaultTenant, "get_observations", TestContext.Current.CancellationToken);
        var record = Assert.Single(await store.Injections.InjectionsForSessionAsync(MemoryScope.DefaultTenant, "s1", TestContext.Current.CancellationToken));
        Assert.Equal((Clock.GetUtcNow(), "get_observations"), (record.FetchedAt!.Value, record.FetchedVia!));
    }

    [Fact]
    public async Task Deleting_or_editing_a_message_drops_the_vectors_that_blend_its_text_until_they_are_made_again()
    {
        var generator = new WordHashEmbeddingGenerator();
        var store = await NewStoreAsync();
        // Vectors made by the worker (not on write), as with the built-in model: the store alone must drop the stale ones.
        var service = new MemoryService(store, new SearchOptions { NeighbourVectorShare = 0.5 }, generator, Clock, embedOnWrite: false);
        var session = new MemoryScope { UserId = "alice", SessionId = "chat-1" };
        string[] texts = ["We adopted a corgi named Biscuit", "My sister lives in Lisbon", "Her flat looks over the river", "Biscuit hates the rain", "We walk him at seven"];
        var messages = new List<Memory>();
        foreach (var text in texts)
        {
            messages.Add(await AddAsync(service, text, session, MemoryKind.Message));
            Clock.Advance(TimeSpan.FromMinutes(1));
        }
        while ((await service.EmbedPendingAsync(cancellationToken: TestContext.Current.CancellationToken)).Embedded > 0) { }
        const string model = "word-hash-64";
        async Task<List<string>> MissingAsync()
        {
            var missing = new List<string>();
            await foreach (var m in store.ListMissingEmbeddingsAsync(MemoryScope.DefaultTenant, model, 64)) missing.Add(m.Id);
            return missing;
        }
        Assert.Empty(await MissingAsync());

        Assert.True(await service.DeleteAsync(messages[2].Id, cancellationToken: TestContext.Current.CancellationToken));
        // The messages either side held a share of the deleted text; the others did not.
        Assert.Equal([messages[1].Id, messages[3].Id], (await MissingAsync()).Order(StringComparer.Ordinal));
        // What a search asks of its text hits: which lack a vector of this model and size (a deleted one is no hit).
        string[] asked = [.. messages.Select(m => m.Id)];
        Assert.Equal([messages[1].Id, messages[3].Id], (await store.WithoutVectorsAsync(asked, model, 64, TestContext.Current.CancellationToken)).Order(StringComparer.Ordinal));
        Assert.Equal(4, (await store.WithoutVectorsAsync(asked, "another-model", 64, TestContext.Current.CancellationToken)).Count);
        Assert.Equal(4, (await store.WithoutVectorsAsync(asked, model, 32, TestContext.Current.CancellationToken)).Count);
        Assert.Empty(await store.WithoutVectorsAsync([], model, 64, TestContext.Current.CancellationToken));
        while ((await service.EmbedPendingAsync(cancellationToken: TestContext.Current.CancellationToken)).Embedded > 0) { }
        Assert.Empty(await MissingAsync());
        // Made again, each blends only the neighbours it has now.
        await AssertBlendAsync(store, generator, model, messages[1], [messages[0], messages[3]]);
        await AssertBlendAsync(store, generator, model, messages[3], [messages[1], messages[4]]);

        // An edit: the message's own vector and its neighbours' go too; a change of metadata alone keeps them.
        await service.UpdateAsync(messages[3].Id, new MemoryUpdate { Metadata = new Dictionary<string, string> { ["mood"] = "calm" } }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(await MissingAsync());
        var edited = await service.UpdateAsync(messages[3].Id, new MemoryUpdate { Content = "Biscuit loves the snow" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([messages[1].Id, messages[3].Id, messages[4].Id], (await MissingAsync()).Order(StringComparer.Ordinal));
        while ((await service.EmbedPendingAsync(cancellationToken: TestContext.Current.CancellationToken)).Embedded > 0) { }
        await AssertBlendAsync(store, generator, model, messages[4], [edited]);
    }

    /// <summary>The stored vector of <paramref name="memory"/> is its own text's blended with exactly these neighbours.</summary>
    private static async Task AssertBlendAsync(IEngramStore store, WordHashEmbeddingGenerator generator, string model, Memory memory, Memory[] neighbours)
    {
        var own = await generator.GenerateVectorAsync(MemoryService.EmbeddingText(memory));
        var others = new List<ReadOnlyMemory<float>>();
        foreach (var n in neighbours) others.Add(await generator.GenerateVectorAsync(MemoryService.EmbeddingText(n)));
        var expected = MessageNeighbours.Blend(own, others, 0.5);
        var hits = await store.SearchVectorAsync(expected, model, MemoryFilter.For(memory.Scope) with { Kinds = [MemoryKind.Message] }, 1);
        var (top, similarity) = Assert.Single(hits);
        Assert.Equal(memory.Id, top.Id);
        Assert.True(similarity > 0.99, $"{memory.Content}: similarity {similarity} to the expected blend");
    }
}
