using System.Text.Json;
using Engram.Client;
using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Serialization;
using Microsoft.Extensions.AI;

namespace Engram.Server.Tests;

/// <summary>Remote mode: <see cref="HttpMemoryService"/> against a real server answers exactly like the embedded service.</summary>
public sealed class RemoteClientTests
{
    /// <summary>A memory as JSON without the access statistics, which reads change.</summary>
    private static string Comparable(Memory m) =>
        JsonSerializer.Serialize(m with { AccessCount = 0, LastAccessedAt = null }, EngramJsonContext.Default.Memory);

    [Fact]
    public async Task Sessions_through_the_client_match_the_embedded_listing_in_both_orders()
    {
        await using var host = await ServerHost.StartAsync();
        using var remote = new HttpMemoryService(host.Http);
        foreach (var (session, text) in new[] { ("s-a", "Set up CI"), ("s-b", "Fixed the flaky test"), ("s-a", "CI is green") })
        {
            await remote.AddAsync(new AddMemoryRequest { Content = text, Kind = MemoryKind.Prompt, Scope = new MemoryScope { UserId = "alice", SessionId = session } }, TestContext.Current.CancellationToken);
        }
        var filter = new MemoryFilter { UserId = "alice" };
        var newest = await remote.ListSessionsAsync(filter, 10, cancellationToken: TestContext.Current.CancellationToken);
        var embedded = await new Engram.Core.Services.MemoryService(host.Store).ListSessionsAsync(filter, 10, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(["s-a", "s-b"], newest.Select(s => s.SessionId));
        Assert.Equal(embedded.Select(s => (s.SessionId, s.Memories, s.Headline.Id, s.StartedAt)), newest.Select(s => (s.SessionId, s.Memories, s.Headline.Id, s.StartedAt)));
        Assert.Equal("Set up CI", newest[0].Headline.Content);
        Assert.Equal(["s-a", "s-b"], (await remote.ListSessionsAsync(filter, 10, oldestFirst: true, cancellationToken: TestContext.Current.CancellationToken)).Select(s => s.SessionId));

        var (status, body) = await host.JsonAsync(HttpMethod.Get, "/api/v1/sessions?order=sideways");
        Assert.Equal(400, status);
        Assert.Contains("order 'sideways'", body.ToString(), StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<EngramException>(() => remote.ListSessionsAsync(filter with { Kinds = [MemoryKind.Fact] }, 5, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("sessions are listed by", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_operation_through_the_client_matches_the_store()
    {
        await using var host = await ServerHost.StartAsync();
        using var remote = new HttpMemoryService(host.Http);
        var scope = new MemoryScope { UserId = "alice", Project = "p1", SessionId = "s1" };

        var added = await remote.AddAsync(new AddMemoryRequest
        {
            Content = "The release train leaves every second Tuesday",
            Scope = scope,
            Kind = MemoryKind.Fact,
            Title = "Release cadence",
            Type = "process",
            Importance = 0.8,
            Metadata = new Dictionary<string, string> { ["source"] = "wiki" },
        }, TestContext.Current.CancellationToken);
        var memory = Assert.Single(added.Results).Memory;
        Assert.Equal(AddOutcome.Added, added.Results[0].Outcome);
        Assert.Equal(Comparable((await host.Store.GetAsync("default", memory.Id, TestContext.Current.CancellationToken))!), Comparable(memory));
        Assert.Equal(AddOutcome.Duplicate, (await remote.AddAsync(new AddMemoryRequest { Content = memory.Content, Scope = scope }, TestContext.Current.CancellationToken)).Results[0].Outcome);

        var chat = await remote.AddAsync(new AddMemoryRequest
        {
            Messages = [new ChatMessage(ChatRole.User, "I prefer dark mode"), new ChatMessage(ChatRole.Assistant, "Dark mode it is")],
            Scope = scope,
        }, TestContext.Current.CancellationToken);
        Assert.Equal(2, chat.Results.Count);
        Assert.All(chat.Results, r => Assert.Equal(MemoryKind.Message, r.Memory.Kind));

        var hits = await remote.SearchAsync(new SearchRequest { Query = "when does the release train leave", Filter = new MemoryFilter { UserId = "alice" } }, TestContext.Current.CancellationToken);
        Assert.Equal(memory.Id, hits[0].Memory.Id);
        Assert.Empty(await remote.SearchAsync(new SearchRequest { Query = "release train", Filter = new MemoryFilter { UserId = "bob" } }, TestContext.Current.CancellationToken));
        Assert.Empty(await remote.SearchAsync(new SearchRequest { Query = "release train", Filter = new MemoryFilter { Kinds = [MemoryKind.Message] } }, TestContext.Current.CancellationToken));

        var listed = new List<Memory>();
        await foreach (var m in remote.ListAsync(new MemoryFilter { UserId = "alice" }, cancellationToken: TestContext.Current.CancellationToken)) listed.Add(m);
        Assert.Equal(3, listed.Count);
        var byMeta = new List<Memory>();
        await foreach (var m in remote.ListAsync(new MemoryFilter { Metadata = new Dictionary<string, string> { ["source"] = "wiki" } }, cancellationToken: TestContext.Current.CancellationToken)) byMeta.Add(m);
        Assert.Equal(memory.Id, Assert.Single(byMeta).Id);
        var limited = new List<Memory>();
        await foreach (var m in remote.ListAsync(new MemoryFilter(), limit: 2, cancellationToken: TestContext.Current.CancellationToken)) limited.Add(m);
        Assert.Equal(2, limited.Count);

        var updated = await remote.UpdateAsync(memory.Id, new MemoryUpdate { Content = "The release train leaves every Tuesday", Reason = "weekly now" }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(Comparable((await host.Store.GetAsync("default", memory.Id, TestContext.Current.CancellationToken))!), Comparable(updated));
        var history = await remote.GetHistoryAsync(memory.Id, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal([HistoryEvent.Add, HistoryEvent.Update], history.Select(h => h.Event).ToArray());
        Assert.Equal("weekly now", history[1].Reason);

        Assert.True(await remote.DeleteAsync(memory.Id, reason: "obsolete", cancellationToken: TestContext.Current.CancellationToken));
        Assert.False(await remote.DeleteAsync(memory.Id, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Null(await remote.GetAsync(memory.Id, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal("obsolete", (await remote.GetHistoryAsync(memory.Id, cancellationToken: TestContext.Current.CancellationToken))[^1].Reason);
        await Assert.ThrowsAsync<MemoryNotFoundException>(() => remote.UpdateAsync(memory.Id, new MemoryUpdate { Content = "x" }, cancellationToken: TestContext.Current.CancellationToken));

        Assert.Equal(2, await remote.DeleteAllAsync(new MemoryFilter { SessionId = "s1" }, cancellationToken: TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<EngramException>(() => remote.ResetAsync(TestContext.Current.CancellationToken));
        var error = await Assert.ThrowsAsync<EngramException>(() => remote.AddAsync(new AddMemoryRequest { Content = "  " }, TestContext.Current.CancellationToken));
        Assert.Contains("answered 400: send either text", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_client_acts_in_its_keys_tenant_and_reports_a_missing_key_clearly()
    {
        string a = "", b = "";
        await using var host = await ServerHost.StartAsync(before: async store =>
        {
            a = await ServerHost.CreateKeyAsync(store, "tenant-a");
            b = await ServerHost.CreateKeyAsync(store, "tenant-b");
        });
        using var alice = HttpMemoryService.Create(host.Address, a);
        using var bob = HttpMemoryService.Create(host.Address, b);
        using var nobody = HttpMemoryService.Create(host.Address);

        var id = (await alice.AddAsync(new AddMemoryRequest { Content = "Alice's tenant only" }, TestContext.Current.CancellationToken)).Results[0].Memory.Id;
        Assert.Equal("tenant-a", (await alice.GetAsync(id, cancellationToken: TestContext.Current.CancellationToken))!.Scope.Tenant);
        Assert.Null(await bob.GetAsync(id, cancellationToken: TestContext.Current.CancellationToken));
        Assert.False(await bob.DeleteAsync(id, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Empty(await bob.GetHistoryAsync(id, cancellationToken: TestContext.Current.CancellationToken));

        var error = await Assert.ThrowsAsync<EngramException>(() => nobody.GetAsync(id, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("requires an API key", error.Message, StringComparison.Ordinal);
    }
}
