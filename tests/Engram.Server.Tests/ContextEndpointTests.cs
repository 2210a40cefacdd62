using System.Text.Json;
using Engram.Core.Model;
using Engram.Core.Storage;

namespace Engram.Server.Tests;

/// <summary>
/// What agents are given, over real HTTP: the memories injected into a session (with what they say now), and the
/// preview of the next session's context for a project and a token budget, which records nothing.
/// </summary>
public sealed class ContextEndpointTests
{
    private const string Project = "github.com/acme/shop";

    private static InjectionRecord Record(string session, string context, string memory, int rank, string tenant = MemoryScope.DefaultTenant) => new()
    {
        Tenant = tenant, SessionId = session, ContextId = context, Project = Project, MemoryId = memory, Rank = rank,
        Reason = rank == 1 ? "standing" : "relevance", Detail = "relevance 0.500", Tokens = 12 * rank, Source = "session-start",
        InjectedAt = new DateTimeOffset(2026, 11, 30, 9, 0, rank, TimeSpan.Zero),
    };

    private static async Task<string> AddAsync(ServerHost host, object body)
    {
        var (status, json) = await host.JsonAsync(HttpMethod.Post, "/api/v1/memories", JsonSerializer.Serialize(body));
        Assert.True(status == 200, $"add failed with {status}: {json}");
        return json.GetProperty("results")[0].GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task Injections_of_a_session_list_rank_reason_tokens_and_what_the_memory_says_now()
    {
        await using var host = await ServerHost.StartAsync();
        var kept = await AddAsync(host, new { text = "Prices are stored in cents", kind = "block" });
        var gone = await AddAsync(host, new { text = "The cart lives in Redis", project = Project });
        await host.Store.Injections.RecordInjectionsAsync([Record("sess-1", "ctx-1", kept, 1), Record("sess-1", "ctx-1", gone, 2), Record("sess-2", "ctx-2", gone, 1)], TestContext.Current.CancellationToken);
        await host.Store.Injections.RecordInjectionsAsync([Record("sess-1", "ctx-9", gone, 1, tenant: "other")], TestContext.Current.CancellationToken);
        Assert.Equal(200, (await host.JsonAsync(HttpMethod.Delete, $"/api/v1/memories/{gone}")).Status);

        var (status, body) = await host.JsonAsync(HttpMethod.Get, "/api/v1/sessions/sess-1/injections");
        Assert.Equal(200, status);
        Assert.Equal("sess-1", body.GetProperty("session_id").GetString());
        Assert.Equal(36, body.GetProperty("total_tokens").GetInt32());
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([kept, gone], results.Select(r => r.GetProperty("memory_id").GetString()));
        Assert.Equal(("ctx-1", 1, "standing", 12, true), (results[0].GetProperty("context_id").GetString(), results[0].GetProperty("rank").GetInt32(),
            results[0].GetProperty("reason").GetString(), results[0].GetProperty("tokens").GetInt32(), results[0].GetProperty("current").GetBoolean()));
        Assert.Equal("Prices are stored in cents", results[0].GetProperty("memory").GetString());
        Assert.Equal("block", results[0].GetProperty("kind").GetString());
        Assert.Equal("relevance 0.500", results[1].GetProperty("detail").GetString());
        Assert.False(results[1].GetProperty("current").GetBoolean());

        var (_, none) = await host.JsonAsync(HttpMethod.Get, "/api/v1/sessions/no-such-session/injections");
        Assert.Empty(none.GetProperty("results").EnumerateArray());
    }

    [Fact]
    public async Task Another_tenants_key_sees_only_its_own_injections()
    {
        await using var host = await ServerHost.StartAsync();
        var acme = await ServerHost.CreateKeyAsync(host.Store, "acme");
        await ServerHost.CreateKeyAsync(host.Store, "globex");
        await host.Store.Injections.RecordInjectionsAsync([Record("shared-id", "ctx-a", "m-acme", 1, tenant: "acme"), Record("shared-id", "ctx-g", "m-globex", 1, tenant: "globex")], TestContext.Current.CancellationToken);

        var (status, body) = await host.JsonAsync(HttpMethod.Get, "/api/v1/sessions/shared-id/injections", key: acme);
        Assert.Equal(200, status);
        Assert.Equal(["m-acme"], body.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("memory_id").GetString()));
        Assert.Equal(401, (await host.JsonAsync(HttpMethod.Get, "/api/v1/sessions/shared-id/injections")).Status);
    }

    [Fact]
    public async Task The_preview_follows_the_budget_lists_its_memories_and_records_nothing()
    {
        await using var host = await ServerHost.StartAsync();
        var block = await AddAsync(host, new { text = "Prices are stored in cents", kind = "block" });
        for (var i = 0; i < 40; i++)
        {
            await AddAsync(host, new
            {
                text = $"Changed the checkout step {i} so totals are computed from cents and rounded once at the end",
                title = $"modified src/Checkout{i}.cs: totals in cents, step {i}",
                kind = "observation", type = "change", project = Project, session_id = "s-" + (i % 3),
            });
        }

        var (smallStatus, small) = await host.JsonAsync(HttpMethod.Get, $"/api/v1/context/preview?project={Uri.EscapeDataString(Project)}&max_tokens=150");
        var (largeStatus, large) = await host.JsonAsync(HttpMethod.Get, $"/api/v1/context/preview?project={Uri.EscapeDataString(Project)}&max_tokens=2000");
        Assert.Equal((200, 200), (smallStatus, largeStatus));
        Assert.Equal(150, small.GetProperty("max_tokens").GetInt32());
        Assert.InRange(small.GetProperty("estimated_tokens").GetInt32(), 1, 150);
        Assert.InRange(large.GetProperty("estimated_tokens").GetInt32(), 151, 2000);
        var smallIds = small.GetProperty("memories").EnumerateArray().Select(m => m.GetProperty("memory_id").GetString()).ToList();
        var largeIds = large.GetProperty("memories").EnumerateArray().Select(m => m.GetProperty("memory_id").GetString()).ToList();
        Assert.Equal(block, smallIds[0]);
        Assert.True(largeIds.Count > smallIds.Count, $"{largeIds.Count} memories at 2000 tokens, {smallIds.Count} at 150");
        Assert.Equal(smallIds, largeIds.Take(smallIds.Count));
        foreach (var id in largeIds.Skip(1)) Assert.Contains($"[{id}]", large.GetProperty("context").GetString(), StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(1, largeIds.Count), large.GetProperty("memories").EnumerateArray().Select(m => m.GetProperty("rank").GetInt32()));

        foreach (var id in largeIds) Assert.Empty(await host.Store.Injections.InjectionsOfMemoryAsync(MemoryScope.DefaultTenant, id!, cancellationToken: TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("/api/v1/context/preview", "project")]
    [InlineData("/api/v1/context/preview?project=x&max_tokens=lots", "max_tokens")]
    [InlineData("/api/v1/context/preview?project=x&max_tokens=10", "max_tokens")]
    [InlineData("/api/v1/context/preview?project=x&max_tokens=99999", "max_tokens")]
    public async Task A_bad_preview_request_is_a_400_that_names_the_problem(string path, string named)
    {
        await using var host = await ServerHost.StartAsync();
        var (status, body) = await host.JsonAsync(HttpMethod.Get, path);
        Assert.Equal(400, status);
        Assert.Contains(named, body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
