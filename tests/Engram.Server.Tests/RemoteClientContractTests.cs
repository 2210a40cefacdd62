using System.Text.Json;
using System.Text.Json.Nodes;
using Engram.Client;
using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Serialization;
using Engram.Core.Services;
using Engram.Testing;

namespace Engram.Server.Tests;

/// <summary>The remote client reads the one JSON shape of a memory (<see cref="MemoryItem"/>) back without losing a field.</summary>
public sealed class RemoteClientContractTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A memory with every field set, stored as it is (an import keeps ids, times and statistics).</summary>
    private Memory Full(string id, string content, DateTimeOffset at, string? supersededBy = null)
    {
        var file = _folder.File(id + ".py");
        File.WriteAllText(file, "def total(items):\n    return round(sum(items), 2)\n");
        return new Memory
        {
            Id = id,
            Kind = MemoryKind.Observation,
            Scope = new MemoryScope { UserId = "alice", AgentId = "claude-code", Project = "github.com/acme/shop", SessionId = "s-contract" },
            Type = "bugfix",
            Title = "Totals round to cents",
            Content = content,
            Facts = ["totals are rounded to 2 places", "the rounding is in total()"],
            Concepts = ["rounding", "money"],
            FilesRead = [file],
            FilesModified = [file],
            Metadata = new Dictionary<string, string> { ["ticket"] = "SHOP-12", ["json"] = "{\"a\":1}" },
            Source = new MemorySource { ToolUseId = "toolu_" + id, EventIds = ["ev-1-" + id, "ev-2-" + id], ExternalId = "ext-" + id },
            Importance = 0.75,
            AccessCount = 4,
            LastAccessedAt = at.AddMinutes(5),
            Occurrences = 3,
            ExpiresAt = at.AddYears(5),
            FileStates = [FileFreshness.Capture(file, 1, 2)!],
            CreatedAt = at,
            UpdatedAt = at.AddMinutes(1),
            ValidFrom = at,
            ValidTo = supersededBy is null ? null : at.AddMinutes(2),
            SupersededBy = supersededBy,
            ContentHash = ContentHash.Compute(MemoryKind.Observation, content),
        };
    }

    [Fact]
    public async Task The_client_reads_back_every_field_the_rest_api_returns()
    {
        await using var host = await ServerHost.StartAsync();
        using var remote = new HttpMemoryService(host.Http);
        var at = new DateTimeOffset(2026, 11, 2, 9, 30, 0, 125, TimeSpan.Zero);
        var ids = new MemoryId(TimeProvider.System);
        var current = Full(ids.Next(), "total() rounds to cents", at);
        var old = Full(ids.Next(), "total() rounded down", at.AddDays(-1), supersededBy: current.Id);
        Assert.True(await host.Store.ImportAsync(current, [], TestContext.Current.CancellationToken));
        Assert.True(await host.Store.ImportAsync(old, [], TestContext.Current.CancellationToken));

        foreach (var memory in new[] { current, old })
        {
            var rest = await (await host.SendAsync(HttpMethod.Get, $"/api/v1/memories/{memory.Id}")).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            var fields = JsonNode.Parse(rest)!.AsObject().Select(p => p.Key).ToHashSet();
            // Every field of the contract is in this answer (aside from search's and add's, and the export-only access statistics).
            string[] notHere = ["score", "explanation", "event", "replaces", "access_count", "last_accessed_at", .. memory.ValidTo is null ? ["valid_to", "superseded_by"] : Array.Empty<string>()];
            var contract = typeof(MemoryItem).GetProperties().Select(p => JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name)).Except(notHere);
            Assert.Empty(contract.Except(fields));

            var read = await remote.GetAsync(memory.Id, cancellationToken: TestContext.Current.CancellationToken);
            Assert.NotNull(read);
            var (stored, received) = (JsonSerializer.Serialize(memory with { AccessCount = 0, LastAccessedAt = null }, EngramJsonContext.Default.Memory), JsonSerializer.Serialize(read, EngramJsonContext.Default.Memory));
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(stored), JsonNode.Parse(received)), $"stored\n{stored}\nthe client read\n{received}");
            // Shown again in the contract, what the client read is what REST answered, field for field.
            var again = JsonSerializer.Serialize(MemoryItem.From(read, new FileFreshness()), EngramJsonContext.Default.MemoryItem);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(rest), JsonNode.Parse(again)), $"REST answered\n{rest}\nthe client's memory shows as\n{again}");
        }
    }

    [Fact]
    public async Task Supersede_and_restore_work_through_the_client()
    {
        await using var host = await ServerHost.StartAsync();
        using var remote = new HttpMemoryService(host.Http);
        var scope = new MemoryScope { UserId = "alice" };
        var first = (await remote.AddAsync(new AddMemoryRequest { Content = "Deploys happen on Fridays", Scope = scope }, TestContext.Current.CancellationToken)).Results[0].Memory;

        var replacement = await remote.SupersedeAsync(first.Id, "Deploys happen on Thursdays", reason: "policy changed", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal("Deploys happen on Thursdays", replacement.Content);
        Assert.Equal("alice", replacement.Scope.UserId);
        var superseded = await remote.GetAsync(first.Id, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(replacement.Id, superseded!.SupersededBy);
        Assert.NotNull(superseded.ValidTo);

        var restored = await remote.RestoreAsync(first.Id, reason: "the change was reverted", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(first.Id, restored.Id);
        Assert.Null(restored.ValidTo);
        Assert.Equal("Deploys happen on Fridays", restored.Content);
        var empty = await Assert.ThrowsAsync<EngramException>(() => remote.SupersedeAsync(first.Id, " ", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("text", empty.Message, StringComparison.Ordinal);
    }
}
