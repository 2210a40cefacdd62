using System.Text.Json;
using System.Text.Json.Nodes;
using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Serialization;
using Engram.Core.Services;
using Engram.Testing;

namespace Engram.Sqlite.Tests;

/// <summary>Export files hold each memory in the one JSON shape of a memory, losslessly, and files from earlier versions still import.</summary>
public sealed class ExportFileTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static Memory Full(string id, DateTimeOffset at) => new()
    {
        Id = id,
        Kind = MemoryKind.Observation,
        Scope = new MemoryScope { Tenant = "acme", UserId = "alice", AgentId = "codex", Project = "github.com/acme/shop", SessionId = "s-1" },
        Type = "bugfix",
        Title = "Totals round to cents",
        Content = "total() rounds to cents",
        Facts = ["totals are rounded to 2 places"],
        Concepts = ["rounding"],
        FilesRead = ["/src/shop/cart.py"],
        FilesModified = ["/src/shop/cart.py"],
        Metadata = new Dictionary<string, string> { ["ticket"] = "SHOP-12" },
        Source = new MemorySource { ToolUseId = "toolu_01", EventIds = ["ev-1"], ExternalId = "ext-9" },
        Importance = 0.75,
        AccessCount = 4,
        LastAccessedAt = at.AddMinutes(5),
        Occurrences = 3,
        ExpiresAt = at.AddYears(5),
        FileStates = [new FileState { Path = "/src/shop/cart.py", Hash = "abc123", StartLine = 1, EndLine = 2 }],
        CreatedAt = at,
        UpdatedAt = at.AddMinutes(1),
        ValidFrom = at,
        ContentHash = ContentHash.Compute(MemoryKind.Observation, "total() rounds to cents"),
    };

    private static bool SameJson(Memory a, Memory b) =>
        JsonNode.DeepEquals(JsonNode.Parse(JsonSerializer.Serialize(a, EngramJsonContext.Default.Memory)), JsonNode.Parse(JsonSerializer.Serialize(b, EngramJsonContext.Default.Memory)));

    [Fact]
    public async Task An_export_line_is_the_memory_item_shape_and_imports_every_field_back()
    {
        var memory = Full(new MemoryId(TimeProvider.System).Next(), new DateTimeOffset(2026, 11, 2, 9, 30, 0, 125, TimeSpan.Zero));
        await using var source = new SqliteMemoryStore(_folder.File("source.db"));
        await source.InitializeAsync(TestContext.Current.CancellationToken);
        Assert.True(await source.ImportAsync(memory, [], TestContext.Current.CancellationToken));
        var export = new StringWriter();
        Assert.Equal(1, await MemoryTransfer.ExportAsync(source, new MemoryFilter { Tenant = "acme" }, export, TestContext.Current.CancellationToken));

        var line = JsonNode.Parse(export.ToString())!["memory"]!.AsObject();
        Assert.Equal(memory.Content, (string?)line["memory"]);
        Assert.Equal("github.com/acme/shop", (string?)line["project"]);
        Assert.Equal(4, (long?)line["access_count"]);
        Assert.False(line.ContainsKey("content"));
        Assert.False(line.ContainsKey("staleness")); // files are not checked while exporting

        await using var target = new SqliteMemoryStore(_folder.File("target.db"));
        await target.InitializeAsync(TestContext.Current.CancellationToken);
        var summary = await MemoryTransfer.ImportAsync(target, new StringReader(export.ToString()), "export.jsonl", TestContext.Current.CancellationToken);
        Assert.Equal(1, summary.MemoriesAdded);
        var back = await target.GetAsync("acme", memory.Id, TestContext.Current.CancellationToken);
        Assert.NotNull(back);
        Assert.True(SameJson(memory, back), JsonSerializer.Serialize(back, EngramJsonContext.Default.Memory));
    }

    [Fact]
    public async Task A_file_exported_before_the_one_shape_still_imports_and_a_bad_kind_is_refused_by_line()
    {
        var memory = Full(new MemoryId(TimeProvider.System).Next(), new DateTimeOffset(2026, 10, 1, 8, 0, 0, TimeSpan.Zero));
        // Earlier versions wrote the model itself: its text under "content", its scope as an object.
        var earlier = JsonSerializer.Serialize(new ExportRecord { Memory = memory }, EngramJsonContext.Default.ExportRecord);
        Assert.Contains("\"content\":", earlier, StringComparison.Ordinal);
        await using var target = new SqliteMemoryStore(_folder.File("earlier.db"));
        await target.InitializeAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, (await MemoryTransfer.ImportAsync(target, new StringReader(earlier + "\n"), "old.jsonl", TestContext.Current.CancellationToken)).MemoriesAdded);
        Assert.True(SameJson(memory, (await target.GetAsync("acme", memory.Id, TestContext.Current.CancellationToken))!));

        var item = JsonSerializer.Serialize(new ExportLine { Memory = MemoryItem.ForExport(memory) with { Kind = "rumour" } }, EngramJsonContext.Default.ExportLine);
        var refused = await Assert.ThrowsAsync<EngramException>(() => MemoryTransfer.ImportAsync(target, new StringReader(item), "bad.jsonl", TestContext.Current.CancellationToken));
        Assert.Contains("bad.jsonl line 1", refused.Message, StringComparison.Ordinal);
        Assert.Contains("rumour", refused.Message, StringComparison.Ordinal);
    }
}
