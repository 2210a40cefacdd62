using Engram.Core.Model;

namespace Engram.Testing;

public abstract partial class MemoryStoreConformanceTests
{
    private async Task<Memory> AddInSessionAsync(Engram.Core.Services.MemoryService service, string session, string text, MemoryKind kind, string project = "shop", string tenant = MemoryScope.DefaultTenant)
    {
        Clock.Advance(TimeSpan.FromMinutes(1));
        return await AddAsync(service, text, new MemoryScope { Tenant = tenant, UserId = "alice", Project = project, SessionId = session }, kind);
    }

    [Fact]
    public async Task Sessions_are_grouped_with_their_headline_count_and_latest_project()
    {
        var (_, service) = await NewServiceAsync();
        var firstPrompt = await AddInSessionAsync(service, "s-early", "Fix the failing checkout test", MemoryKind.Prompt);
        await AddInSessionAsync(service, "s-early", "The test asserted -1 != 5", MemoryKind.Observation);
        await AddInSessionAsync(service, "s-late", "Ran the linter", MemoryKind.Observation);
        await AddInSessionAsync(service, "s-late", "First summary of the late session", MemoryKind.Summary);
        var lastSummary = await AddInSessionAsync(service, "s-late", "Moved the payment client to its own module", MemoryKind.Summary, project: "payments");
        var onlyObservation = await AddInSessionAsync(service, "s-quiet", "Read the README", MemoryKind.Observation);
        await AddInSessionAsync(service, "s-other-tenant", "Someone else's work", MemoryKind.Prompt, tenant: "globex");
        await AddAsync(service, "A fact outside any session", new MemoryScope { UserId = "alice", Project = "shop" });

        var newest = await service.ListSessionsAsync(new MemoryFilter { UserId = "alice" }, 10, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["s-quiet", "s-late", "s-early"], newest.Select(s => s.SessionId));
        var late = newest[1];
        Assert.Equal(lastSummary.Id, late.Headline.Id); // the latest summary
        Assert.Equal(3, late.Memories);
        Assert.Equal("payments", late.Project); // the project of its latest memory
        Assert.Equal(firstPrompt.Id, newest[2].Headline.Id); // no summary: the first prompt
        Assert.Equal(onlyObservation.Id, newest[0].Headline.Id); // neither: the first memory
        Assert.Equal(firstPrompt.ValidFrom, newest[2].StartedAt);
        Assert.Equal("engram://session/s-late", late.Url);

        var oldest = await service.ListSessionsAsync(new MemoryFilter { UserId = "alice" }, 2, oldestFirst: true, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["s-early", "s-late"], oldest.Select(s => s.SessionId));

        var window = await service.ListSessionsAsync(new MemoryFilter { UserId = "alice", Since = lastSummary.ValidFrom }, 10, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["s-quiet", "s-late"], window.Select(s => s.SessionId));
        Assert.Equal(1, window[1].Memories); // only the memories inside the window count

        var other = await service.ListSessionsAsync(new MemoryFilter { Tenant = "globex" }, 10, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("s-other-tenant", Assert.Single(other).SessionId);
    }

    [Fact]
    public async Task An_old_session_is_listed_however_many_memories_came_after_it()
    {
        var (store, service) = await NewServiceAsync();
        var opening = await AddInSessionAsync(service, "s-first", "Set up the repository", MemoryKind.Prompt);
        // More memories than any in-memory scan would read (the old listing read the newest 5,000).
        Clock.Advance(TimeSpan.FromMinutes(1));
        var ids = new Engram.Core.MemoryId(Clock);
        var template = opening with { Kind = MemoryKind.Observation, Scope = opening.Scope with { SessionId = "s-busy" } };
        for (var i = 0; i < 5_100; i++)
        {
            var at = Clock.GetUtcNow().AddMilliseconds(i);
            var memory = template with
            {
                Id = ids.Next(),
                Content = $"Observation number {i}",
                ContentHash = Engram.Core.ContentHash.Compute(MemoryKind.Observation, $"Observation number {i}"),
                CreatedAt = at,
                UpdatedAt = at,
                ValidFrom = at,
            };
            await store.ImportAsync(memory, [], TestContext.Current.CancellationToken);
        }

        var sessions = await service.ListSessionsAsync(new MemoryFilter { UserId = "alice" }, 5, oldestFirst: true, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["s-first", "s-busy"], sessions.Select(s => s.SessionId));
        Assert.Equal(opening.Id, sessions[0].Headline.Id);
        Assert.Equal(5_100, sessions[1].Memories);
    }
}
