using Engram.Core.Model;
using Engram.Core.Security;
using Engram.Core.Storage;

namespace Engram.Mcp.Tests;

/// <summary>A memory a session was given and then fetched through get_observations or timeline counts as used: through a real MCP client.</summary>
public sealed class McpInjectionUseTests : IAsyncDisposable
{
    private readonly McpPair _pair = new();

    public ValueTask DisposeAsync() => _pair.DisposeAsync();

    private async Task<string> GivenAsync(string text, string session, string tenant = MemoryScope.DefaultTenant)
    {
        var added = await _pair.Memory.AddAsync(new AddMemoryRequest { Content = text, Kind = MemoryKind.Observation, Scope = new MemoryScope { Tenant = tenant, Project = "p1" } });
        var id = added.Results[0].Memory.Id;
        await _pair.Store.Injections.RecordInjectionsAsync([new InjectionRecord
        {
            Tenant = tenant, SessionId = session, ContextId = "ctx-" + session, Project = "p1", MemoryId = id, Rank = 1, Reason = "relevance",
            Tokens = 12, Source = "session-start", InjectedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
        }]);
        return id;
    }

    [Fact]
    public async Task Get_observations_and_timeline_mark_the_injection_as_fetched_for_the_callers_tenant_only()
    {
        var fetched = await GivenAsync("Cart totals round half-even", "s1");
        var anchored = await GivenAsync("Receipts print the VAT rate per line", "s2");
        var untouched = await GivenAsync("Deploys go out on Tuesdays", "s3");
        var otherTenant = await GivenAsync("Tenant b keeps its own notes", "s1", tenant: "b");
        var client = await _pair.ConnectAsync(EngramCaller.Default);

        await client.CallTextAsync("get_observations", new() { ["ids"] = new[] { fetched, otherTenant } });
        await client.CallTextAsync("timeline", new() { ["anchor_id"] = anchored });

        var one = Assert.Single(await _pair.Store.Injections.InjectionsForSessionAsync(MemoryScope.DefaultTenant, "s1", TestContext.Current.CancellationToken));
        Assert.Equal("get_observations", one.FetchedVia);
        Assert.NotNull(one.FetchedAt);
        Assert.Equal("timeline", Assert.Single(await _pair.Store.Injections.InjectionsForSessionAsync(MemoryScope.DefaultTenant, "s2", TestContext.Current.CancellationToken)).FetchedVia);
        Assert.Null(Assert.Single(await _pair.Store.Injections.InjectionsForSessionAsync(MemoryScope.DefaultTenant, "s3", TestContext.Current.CancellationToken)).FetchedAt);
        // The default caller cannot see tenant b's memory, so it fetched nothing there.
        Assert.Null(Assert.Single(await _pair.Store.Injections.InjectionsForSessionAsync("b", "s1", TestContext.Current.CancellationToken)).FetchedAt);
        Assert.Equal(new InjectionUse(1, 1, 0), (await _pair.Store.Injections.UseOfMemoriesAsync(MemoryScope.DefaultTenant, [fetched, untouched], TestContext.Current.CancellationToken))[fetched]);
    }
}
