using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Core.Storage;

namespace Engram.Testing;

/// <summary>Search through the service on every store: text ranking and stemming, the vector signal, access records, and conversation neighbours.</summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public async Task Search_ranks_the_matching_memory_first_and_respects_scope()
    {
        var (_, service) = await NewServiceAsync();
        await AddAsync(service, "The office coffee machine is on the third floor");
        var target = await AddAsync(service, "The staging database runs PostgreSQL 16 on port 6543");
        await AddAsync(service, "Production traffic is served from two regions");
        await AddAsync(service, "The staging database password rotates monthly", new MemoryScope { UserId = "bob" });

        var hits = await service.SearchAsync(new SearchRequest { Query = "which port does the staging database listen on", Filter = new MemoryFilter { UserId = "alice" } }, TestContext.Current.CancellationToken);
        Assert.NotEmpty(hits);
        Assert.Equal(target.Id, hits[0].Memory.Id);
        Assert.All(hits, h => Assert.Equal("alice", h.Memory.Scope.UserId));
        Assert.Contains("text #1", hits[0].Explanation, StringComparison.Ordinal);
        // Port, staging and database of the query's four terms: the coverage boost explains itself.
        Assert.Contains("for 3 of 4 query terms", hits[0].Explanation, StringComparison.Ordinal);
        Assert.InRange(hits[0].Score, 0.01, 1.5);

        var carol = await service.SearchAsync(new SearchRequest { Query = "staging database port", Filter = new MemoryFilter { UserId = "carol" } }, TestContext.Current.CancellationToken);
        Assert.Empty(carol);
    }

    [Theory]
    [InlineData("\"unbalanced quote")]
    [InlineData("port*")]
    [InlineData("-staging")]
    [InlineData("content:staging")]
    [InlineData("(staging OR")]
    [InlineData("NEAR(staging port, 2)")]
    [InlineData("AND OR NOT")]
    [InlineData("^staging + port")]
    [InlineData("''' \" \" * : ( ) { } [ ]")]
    [InlineData("staging\0port")]
    public async Task Search_text_with_query_syntax_never_fails(string query)
    {
        var (_, service) = await NewServiceAsync();
        await AddAsync(service, "The staging database listens on port 6543");
        var hits = await service.SearchAsync(new SearchRequest { Query = query }, TestContext.Current.CancellationToken);
        Assert.NotNull(hits);
    }

    [Fact]
    public async Task Search_stems_words()
    {
        var (_, service) = await NewServiceAsync();
        var target = await AddAsync(service, "We migrated the billing service to Kubernetes");
        var hits = await service.SearchAsync(new SearchRequest { Query = "migrating billing services" }, TestContext.Current.CancellationToken);
        Assert.Equal(target.Id, Assert.Single(hits).Memory.Id);
    }

    [Fact]
    public async Task Vectors_join_the_fusion_when_an_embedding_generator_is_configured()
    {
        var embeddings = new WordHashEmbeddingGenerator();
        var (_, service) = await NewServiceAsync(embeddings);
        await AddAsync(service, "Bob repaired the bicycle");
        var car = await AddAsync(service, "Alice bought a red car last spring");
        await AddAsync(service, "The cat sleeps on the sofa");

        // No word of the query appears in the memory; only the (synonym-aware) vectors connect them.
        var hits = await service.SearchAsync(new SearchRequest { Query = "automobile purchase" }, TestContext.Current.CancellationToken);
        Assert.Equal(car.Id, hits[0].Memory.Id);
        Assert.Contains("vector #1", hits[0].Explanation, StringComparison.Ordinal);
        Assert.Equal(4, embeddings.Calls);
    }

    [Fact]
    public async Task Search_records_access_when_the_hits_are_flushed()
    {
        var (_, service) = await NewServiceAsync();
        var memory = await AddAsync(service, "The VPN needs a hardware token");
        await service.SearchAsync(new SearchRequest { Query = "vpn token" }, TestContext.Current.CancellationToken);
        await service.SearchAsync(new SearchRequest { Query = "vpn token" }, TestContext.Current.CancellationToken);
        Assert.Equal(0, (await service.GetAsync(memory.Id, cancellationToken: TestContext.Current.CancellationToken))!.AccessCount); // searching wrote nothing
        await service.Access.FlushAsync(CancellationToken.None);
        var got = await service.GetAsync(memory.Id, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(2, got!.AccessCount);
        Assert.Equal(Clock.GetUtcNow(), got.LastAccessedAt);
    }

    [Fact]
    public async Task Recency_breaks_ties_toward_newer_memories()
    {
        var (_, service) = await NewServiceAsync();
        var old = await service.AddAsync(new AddMemoryRequest { Content = "standup at nine", Scope = Alice, ValidFrom = Clock.GetUtcNow().AddDays(-300) }, TestContext.Current.CancellationToken);
        var fresh = await service.AddAsync(new AddMemoryRequest { Content = "standup at ten", Scope = Alice }, TestContext.Current.CancellationToken);
        var hits = await service.SearchAsync(new SearchRequest { Query = "standup" }, TestContext.Current.CancellationToken);
        Assert.Equal(fresh.Results[0].Memory.Id, hits[0].Memory.Id);
        Assert.Equal(old.Results[0].Memory.Id, hits[1].Memory.Id);
    }

    private static async Task<Memory> SayAsync(MemoryService service, string speaker, string text, DateTimeOffset at, string session = "s1") =>
        (await service.AddAsync(new AddMemoryRequest
        {
            Messages = [new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, text) { AuthorName = speaker }],
            Scope = new MemoryScope { UserId = "chat", SessionId = session },
            ValidFrom = at,
        })).Results[0].Memory;

    [Fact]
    public async Task A_reply_is_found_by_the_words_of_the_message_it_answers()
    {
        var (_, service) = await NewServiceAsync();
        var t = Clock.GetUtcNow().AddDays(-1);
        await SayAsync(service, "Caroline", "Do you have any pets at home?", t);
        var reply = await SayAsync(service, "Melanie", "Yes, a corgi named Biscuit!", t.AddMinutes(1));
        await SayAsync(service, "Caroline", "I went to the beach yesterday.", t.AddMinutes(2), "s2");

        var hits = await service.SearchAsync(new SearchRequest { Query = "Does Melanie have pets?", Filter = new MemoryFilter { UserId = "chat" } }, TestContext.Current.CancellationToken);
        Assert.Contains(hits, h => h.Memory.Id == reply.Id);
        Assert.Equal("Melanie", reply.Metadata["speaker"]);
        // Neighbours come from the same session only.
        Assert.DoesNotContain(await service.SearchAsync(new SearchRequest { Query = "corgi", Filter = new MemoryFilter { SessionId = "s2" } }, TestContext.Current.CancellationToken), h => h.Memory.Scope.SessionId != "s2");
    }

    [Fact]
    public async Task Deleted_text_stops_matching_through_its_neighbours()
    {
        var (_, service) = await NewServiceAsync();
        var t = Clock.GetUtcNow().AddDays(-1);
        var secret = await SayAsync(service, "A", "My locker code is zebra-quartz", t);
        var reply = await SayAsync(service, "B", "Got it, noted.", t.AddMinutes(1));
        Assert.Contains(await service.SearchAsync(new SearchRequest { Query = "quartz" }, TestContext.Current.CancellationToken), h => h.Memory.Id == reply.Id);
        await service.DeleteAsync(secret.Id, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Empty(await service.SearchAsync(new SearchRequest { Query = "quartz" }, TestContext.Current.CancellationToken));
        // Messages added out of order still get both sides.
        var late = await SayAsync(service, "A", "The harbour festival starts Friday", t.AddSeconds(30));
        Assert.Contains(await service.SearchAsync(new SearchRequest { Query = "harbour festival" }, TestContext.Current.CancellationToken), h => h.Memory.Id == reply.Id);
        Assert.NotEqual(reply.Id, late.Id);
    }

    [Fact]
    public async Task Irregular_forms_match_their_base_form()
    {
        var (_, service) = await NewServiceAsync();
        var memory = await AddAsync(service, "Alice bought a new bicycle");
        Assert.Equal(memory.Id, (await service.SearchAsync(new SearchRequest { Query = "what did alice buy" }, TestContext.Current.CancellationToken))[0].Memory.Id);
    }
}
