using System.Text.Json.Nodes;
using Engram.Agents.Capture;
using Engram.Agents.Pipeline;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Core.Storage;
using Engram.Sqlite;

namespace Engram.Agents.Tests.Pipeline;

/// <summary>Memories about files record the file as it was; the context says when it changed or went away.</summary>
public sealed class StaleCodeTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("engram-stale-").FullName;
    private SqliteMemoryStore _store = null!;
    private MemoryService _service = null!;
    private string _repo = null!;
    private string _project = null!;

    public async ValueTask InitializeAsync()
    {
        _repo = Git.Init(Path.Combine(_folder, "shop"), "https://github.com/acme/shop.git");
        _project = ProjectIdentity.Resolve(_repo).Key;
        _store = new SqliteMemoryStore(Path.Combine(_folder, "engram.db"));
        await _store.InitializeAsync();
        _service = new MemoryService(_store);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task ProcessEditAsync(string relativePath, string oldText, string newText, string toolUseId)
    {
        var envelope = new JsonObject
        {
            ["id"] = toolUseId + "-event",
            ["agent"] = "claude-code",
            ["event"] = "post-tool-use",
            ["captured_at"] = "2026-11-30T10:00:00Z",
            ["payload"] = new JsonObject
            {
                ["session_id"] = "s1",
                ["cwd"] = _repo,
                ["hook_event_name"] = "PostToolUse",
                ["tool_name"] = "Edit",
                ["tool_use_id"] = toolUseId,
                ["tool_input"] = new JsonObject { ["file_path"] = Path.Combine(_repo, relativePath), ["old_string"] = oldText, ["new_string"] = newText },
                ["tool_response"] = new JsonObject { ["success"] = true },
            },
        }.ToJsonString();
        await new EventProcessor(_service, _store, new PipelineOptions()).ProcessAsync(new QueuedEvent { Kind = "claude-code/post-tool-use", Payload = envelope }, CancellationToken.None);
    }

    private async Task<string> ContextAsync() => (await new SessionContextBuilder(_service).BuildAsync(new ContextRequest { ProjectKey = _project })).Text;

    private async Task<Memory> OnlyObservationAboutAsync(string fileName)
    {
        var all = await _service.ListAsync(new MemoryFilter { Project = _project, Kinds = [MemoryKind.Observation] }).ToListAsync();
        return all.Single(m => m.FileStates.Any(f => f.Path.EndsWith(fileName, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task An_edit_records_the_file_hash_and_lines_and_the_context_marks_it_when_the_file_changes_or_goes()
    {
        var cart = Path.Combine(_repo, "src", "Cart.cs");
        Directory.CreateDirectory(Path.GetDirectoryName(cart)!);
        await File.WriteAllTextAsync(cart, "class Cart\n{\n    decimal Total() => Round(Sum(), MidpointRounding.ToEven);\n}\n", TestContext.Current.CancellationToken);
        await ProcessEditAsync("src/Cart.cs", "Round(Sum())", "Round(Sum(), MidpointRounding.ToEven)", "toolu_cart");

        var memory = await OnlyObservationAboutAsync("Cart.cs");
        var state = Assert.Single(memory.FileStates);
        Assert.Equal(cart, state.Path);
        Assert.Equal(FileFreshness.HashFile(cart), state.Hash);
        Assert.Equal((3, 3), (state.StartLine, state.EndLine));

        var fresh = await ContextAsync();
        Assert.Contains(memory.Id, fresh, StringComparison.Ordinal);
        Assert.DoesNotContain("possibly stale", fresh, StringComparison.Ordinal);

        await File.AppendAllTextAsync(cart, "// totals now come from the pricing service\n", TestContext.Current.CancellationToken);
        var changed = await ContextAsync();
        Assert.Contains("possibly stale: Cart.cs changed since", LineOf(changed, memory.Id), StringComparison.Ordinal);

        File.Delete(cart);
        var gone = await ContextAsync();
        Assert.Contains("file gone: Cart.cs", LineOf(gone, memory.Id), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_memory_whose_file_is_gone_falls_below_one_whose_file_is_still_there()
    {
        foreach (var name in new[] { "Orders.cs", "Invoices.cs" })
        {
            var path = Path.Combine(_repo, name);
            await File.WriteAllTextAsync(path, $"class {name[..^3]} {{ void Checkout() {{ }} }}\n", TestContext.Current.CancellationToken);
            await ProcessEditAsync(name, "void Pay()", "void Checkout()", "toolu_" + name);
        }
        var orders = await OnlyObservationAboutAsync("Orders.cs");
        var invoices = await OnlyObservationAboutAsync("Invoices.cs");
        var before = await ContextAsync();
        var ordersFirst = before.IndexOf(orders.Id, StringComparison.Ordinal) < before.IndexOf(invoices.Id, StringComparison.Ordinal);
        // Whichever ranked first loses its file, and falls below the other.
        var doomed = ordersFirst ? orders : invoices;
        var kept = ordersFirst ? invoices : orders;
        File.Delete(doomed.FileStates[0].Path);

        var after = await ContextAsync();
        Assert.True(after.IndexOf(kept.Id, StringComparison.Ordinal) < after.IndexOf(doomed.Id, StringComparison.Ordinal), after);
    }

    [Fact]
    public void A_ready_context_is_not_served_once_a_watched_file_changes()
    {
        var cache = new ContextCache(Path.Combine(_folder, "home"));
        var spool = new Spool(Path.Combine(_folder, "spool"));
        var watched = Path.Combine(_repo, "README.md");
        cache.Write(_project, _repo, "{}\n"u8, [watched]);
        Assert.NotNull(cache.TryReady(_project, spool, null, () => true));
        Assert.False(cache.WatchedFilesChanged(_project));

        File.AppendAllText(watched, "more\n");
        Assert.True(cache.WatchedFilesChanged(_project));
        Assert.Null(cache.TryReady(_project, spool, null, () => true));
    }

    private static string LineOf(string context, string id) =>
        context.Split('\n').FirstOrDefault(l => l.Contains(id, StringComparison.Ordinal)) ?? throw new Xunit.Sdk.XunitException($"{id} is not in the context:\n{context}");
}
