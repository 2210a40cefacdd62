using System.Text.Json;
using System.Text.RegularExpressions;
using Engram.Core.Model;
using Engram.Core.Security;
using ModelContextProtocol.Protocol;

namespace Engram.Mcp.Tests;

/// <summary>Every tool and the memory resource, through a real MCP client, over a real SQLite store.</summary>
public sealed partial class McpToolTests : IAsyncDisposable
{
    private readonly McpPair _pair = new();

    public ValueTask DisposeAsync() => _pair.DisposeAsync();

    private Task<AddResult> AddAsync(string text, string tenant = "default", string session = "", string project = "",
        MemoryKind kind = MemoryKind.Observation, string? type = null, string[]? files = null, DateTimeOffset? at = null) =>
        _pair.Memory.AddAsync(new AddMemoryRequest
        {
            Content = text,
            Kind = kind,
            Type = type,
            FilesModified = files ?? [],
            Scope = new MemoryScope { Tenant = tenant, SessionId = session, Project = project },
            ValidFrom = at,
        });

    private static string Id(AddResult result) => result.Results[0].Memory.Id;

    [GeneratedRegex(@"\[([0-9A-Z]{26})\]")]
    private static partial Regex IdPattern();

    [Fact]
    public async Task Lists_every_tool_with_a_description_and_the_memory_resource_template()
    {
        var client = await _pair.ConnectAsync(EngramCaller.Default);
        var tools = await client.ListToolsAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(
            ["conversation_search", "forget", "get_observations", "memory_user_edits", "recent_chats", "remember", "search", "timeline"],
            tools.Select(t => t.Name).Order(StringComparer.Ordinal).ToArray());
        Assert.All(tools, t => Assert.True(t.Description.Length > 60, $"{t.Name} needs a description written for a model"));

        var search = tools.Single(t => t.Name == "search").JsonSchema;
        var properties = search.GetProperty("properties");
        foreach (var name in new[] { "query", "limit", "project", "kinds", "types", "date_start", "date_end", "files" })
        {
            Assert.True(properties.TryGetProperty(name, out _), $"search has no parameter {name}");
        }
        Assert.Equal("query", search.GetProperty("required")[0].GetString());

        var templates = await client.ListResourceTemplatesAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Contains(templates, t => t.UriTemplate == "engram://memory/{id}");
    }

    [Fact]
    public async Task Search_returns_compact_index_lines_with_ids_and_the_token_cost_of_each_layer()
    {
        var port = Id(await AddAsync("The staging database runs PostgreSQL 16 on port 6543", project: "github.com/acme/app", type: "discovery"));
        await AddAsync("Fixed the flaky login test by waiting for the redirect", project: "github.com/acme/app", type: "bugfix", files: ["src/login.ts"]);
        await AddAsync("The office plants need water on Mondays");
        var client = await _pair.ConnectAsync(EngramCaller.Default);

        var text = await client.CallTextAsync("search", new() { ["query"] = "staging database port" });
        var lines = text.Split('\n');
        Assert.Matches(@"^1 memory for ""staging database port"", best first \(this index: ~\d+ tokens; full records of all: ~\d+ tokens\)\.$", lines[0]);
        Assert.StartsWith($"[{port}] ", lines[1], StringComparison.Ordinal);
        Assert.Contains("observation/discovery project=github.com/acme/app | The staging database runs PostgreSQL 16 on port 6543 (~", lines[1], StringComparison.Ordinal);
        Assert.InRange(Tokens.Estimate(lines[1]), 20, 100);
        Assert.StartsWith("Next: timeline", lines[^1], StringComparison.Ordinal);

        var byType = await client.CallTextAsync("search", new() { ["query"] = "test login database", ["types"] = new[] { "bugfix" } });
        Assert.Single(IdPattern().Matches(byType));
        Assert.Contains("flaky login", byType, StringComparison.Ordinal);
        var byFile = await client.CallTextAsync("search", new() { ["query"] = "test login database", ["files"] = new[] { "login.ts" } });
        Assert.Contains("flaky login", byFile, StringComparison.Ordinal);
        var byProject = await client.CallTextAsync("search", new() { ["query"] = "plants water", ["project"] = "github.com/acme/app" });
        Assert.StartsWith("No memories match", byProject, StringComparison.Ordinal);
        var byKind = await client.CallTextAsync("search", new() { ["query"] = "staging", ["kinds"] = new[] { "fact" } });
        Assert.StartsWith("No memories match", byKind, StringComparison.Ordinal);
        var byDate = await client.CallTextAsync("search", new() { ["query"] = "staging", ["date_end"] = "2000-01-01" });
        Assert.StartsWith("No memories match", byDate, StringComparison.Ordinal);

        var error = await client.CallErrorAsync("search", new() { ["query"] = "x", ["date_start"] = "yesterday-ish" });
        Assert.Contains("date_start 'yesterday-ish' is not a date", error, StringComparison.Ordinal);
        error = await client.CallErrorAsync("search", new() { ["query"] = "x", ["limit"] = 500 });
        Assert.Contains("limit 500 is out of range", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeline_shows_the_anchor_between_its_neighbours_in_the_same_session_in_time_order()
    {
        var t0 = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(Id(await AddAsync($"step {i} of the deploy work", session: "s1", at: t0.AddMinutes(i))));
        }
        await AddAsync("step 3 of something else entirely", session: "s2", at: t0.AddMinutes(3).AddSeconds(1));
        var client = await _pair.ConnectAsync(EngramCaller.Default);

        var text = await client.CallTextAsync("timeline", new() { ["anchor_id"] = ids[3], ["depth_before"] = 2, ["depth_after"] = 1 });
        var shown = IdPattern().Matches(text).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal([ids[1], ids[2], ids[3], ids[4]], shown);
        Assert.Contains($">> [{ids[3]}]", text, StringComparison.Ordinal);
        Assert.StartsWith("Timeline of session s1 around", text, StringComparison.Ordinal);

        var byQuery = await client.CallTextAsync("timeline", new() { ["query"] = "something else entirely", ["depth_before"] = 5 });
        Assert.Contains("session s2", byQuery, StringComparison.Ordinal);

        var missing = await client.CallErrorAsync("timeline", new() { ["anchor_id"] = "01JZZZZZZZZZZZZZZZZZZZZZZZ" });
        Assert.Contains("not found", missing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Get_observations_returns_full_records_and_marks_unknown_ids()
    {
        var id = Id(await _pair.Memory.AddAsync(new AddMemoryRequest
        {
            Content = "Switched the cache to Redis",
            Title = "Cache decision",
            Kind = MemoryKind.Observation,
            Type = "decision",
            Facts = ["Redis 7 replaces memcached"],
            FilesModified = ["src/cache.cs"],
            Scope = new MemoryScope { Project = "p1", SessionId = "s9" },
        }, TestContext.Current.CancellationToken));
        var client = await _pair.ConnectAsync(EngramCaller.Default);
        var text = await client.CallTextAsync("get_observations", new() { ["ids"] = new[] { id, "01JZZZZZZZZZZZZZZZZZZZZZZZ" } });
        Assert.Contains($"[{id}] observation/decision at ", text, StringComparison.Ordinal);
        Assert.Contains("project=p1 session=s9", text, StringComparison.Ordinal);
        Assert.Contains("title: Cache decision", text, StringComparison.Ordinal);
        Assert.Contains("- Redis 7 replaces memcached", text, StringComparison.Ordinal);
        Assert.Contains("files modified: src/cache.cs", text, StringComparison.Ordinal);
        Assert.Contains("[01JZZZZZZZZZZZZZZZZZZZZZZZ] not found", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conversation_search_and_recent_chats_return_chat_snippets_grouped_by_session()
    {
        var t0 = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        await AddAsync("Please set up the Kafka consumer for invoices", session: "old", kind: MemoryKind.Prompt, at: t0);
        await AddAsync("Kafka consumer group invoices-v2 created", session: "old", at: t0.AddMinutes(5));
        await AddAsync("Refactor the billing UI", session: "new", kind: MemoryKind.Prompt, at: t0.AddDays(1));
        await AddAsync("Billing UI now uses the design system", session: "new", kind: MemoryKind.Summary, at: t0.AddDays(1).AddHours(1));
        await AddAsync("A memory with no session about Kafka", at: t0.AddDays(2));
        var client = await _pair.ConnectAsync(EngramCaller.Default);

        var found = await client.CallTextAsync("conversation_search", new() { ["query"] = "kafka consumer", ["max_results"] = 10 });
        Assert.StartsWith("<chat url=\"engram://session/old\" updated_at=\"2026-03-01T09:05:00Z\">", found, StringComparison.Ordinal);
        Assert.Contains("Kafka consumer group invoices-v2", found, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(found, "<chat "));
        Assert.EndsWith("</chat>", found, StringComparison.Ordinal);

        var recent = await client.CallTextAsync("recent_chats", new() { ["n"] = 5 });
        var urls = Regex.Matches(recent, "url=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(["engram://session/new", "engram://session/old"], urls);
        Assert.Contains("summary: Billing UI now uses the design system", recent, StringComparison.Ordinal);
        Assert.Contains("prompt: Please set up the Kafka consumer", recent, StringComparison.Ordinal);

        var oldestFirst = await client.CallTextAsync("recent_chats", new() { ["n"] = 1, ["sort_order"] = "asc" });
        Assert.Contains("engram://session/old", oldestFirst, StringComparison.Ordinal);
        var beforeDayTwo = await client.CallTextAsync("recent_chats", new() { ["before"] = "2026-03-02" });
        Assert.DoesNotContain("session/new", beforeDayTwo, StringComparison.Ordinal);

        var error = await client.CallErrorAsync("recent_chats", new() { ["n"] = 21 });
        Assert.Contains("n 21 is out of range", error, StringComparison.Ordinal);
        error = await client.CallErrorAsync("conversation_search", new() { ["query"] = "x", ["max_results"] = 11 });
        Assert.Contains("max_results 11 is out of range", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Memory_user_edits_add_view_replace_remove_round_trip_as_block_memories()
    {
        var client = await _pair.ConnectAsync(EngramCaller.Default);
        Assert.StartsWith("No explicit user memories", await client.CallTextAsync("memory_user_edits", new() { ["command"] = "view" }), StringComparison.Ordinal);

        Assert.Equal("Added as line 1: Prefers tabs over spaces", await client.CallTextAsync("memory_user_edits", new() { ["command"] = "add", ["text"] = "Prefers tabs over spaces" }));
        await client.CallTextAsync("memory_user_edits", new() { ["command"] = "add", ["text"] = "Never deploy on Fridays" });
        await client.CallTextAsync("memory_user_edits", new() { ["command"] = "add", ["text"] = "Lives in Lisbon" });
        Assert.Equal("1. Prefers tabs over spaces\n2. Never deploy on Fridays\n3. Lives in Lisbon",
            await client.CallTextAsync("memory_user_edits", new() { ["command"] = "view" }));

        await client.CallTextAsync("memory_user_edits", new() { ["command"] = "replace", ["line_number"] = 3, ["text"] = "Lives in Porto" });
        await client.CallTextAsync("memory_user_edits", new() { ["command"] = "remove", ["line_number"] = 1 });
        Assert.Equal("1. Never deploy on Fridays\n2. Lives in Porto", await client.CallTextAsync("memory_user_edits", new() { ["command"] = "view" }));

        var blocks = new List<Memory>();
        await foreach (var m in _pair.Memory.ListAsync(new MemoryFilter { Kinds = [MemoryKind.Block] }, cancellationToken: TestContext.Current.CancellationToken)) blocks.Add(m);
        Assert.Equal(2, blocks.Count);

        var error = await client.CallErrorAsync("memory_user_edits", new() { ["command"] = "remove", ["line_number"] = 9 });
        Assert.Contains("line_number 9 is out of range; there are 2 lines", error, StringComparison.Ordinal);
        error = await client.CallErrorAsync("memory_user_edits", new() { ["command"] = "shout" });
        Assert.Contains("command 'shout' is not one of view, add, replace, remove", error, StringComparison.Ordinal);
        error = await client.CallErrorAsync("memory_user_edits", new() { ["command"] = "add" });
        Assert.Contains("add needs text", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Remember_then_forget_with_a_reason_kept_in_history()
    {
        var client = await _pair.ConnectAsync(EngramCaller.Default);
        var text = await client.CallTextAsync("remember", new() { ["text"] = "The API rate limit is 600 requests a minute", ["type"] = "fact", ["project"] = "p" });
        var id = IdPattern().Match("[" + text.Split(' ')[2].TrimEnd('.') + "]").Groups[1].Value;
        var stored = await _pair.Memory.GetAsync(id, cancellationToken: TestContext.Current.CancellationToken);
        Assert.NotNull(stored);
        Assert.Equal("p", stored.Scope.Project);
        Assert.StartsWith("Already remembered as " + id, await client.CallTextAsync("remember", new() { ["text"] = "The API rate limit is 600 requests a minute", ["project"] = "p" }), StringComparison.Ordinal);

        Assert.Equal($"Forgot {id}.", await client.CallTextAsync("forget", new() { ["id"] = id, ["reason"] = "outdated" }));
        var history = await _pair.Memory.GetHistoryAsync(id, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(HistoryEvent.Delete, history[^1].Event);
        Assert.Equal("outdated", history[^1].Reason);
        Assert.Equal("mcp", history[^1].Actor);
        Assert.Contains("not found", await client.CallErrorAsync("forget", new() { ["id"] = id }), StringComparison.Ordinal);
        Assert.Contains("kind 'dream'", await client.CallErrorAsync("remember", new() { ["text"] = "x", ["kind"] = "dream" }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Memory_resource_returns_the_full_record_as_json()
    {
        var id = Id(await AddAsync("Resource body text"));
        var client = await _pair.ConnectAsync(EngramCaller.Default);
        var result = await client.ReadResourceAsync($"engram://memory/{id}", cancellationToken: TestContext.Current.CancellationToken);
        var contents = Assert.IsType<TextResourceContents>(Assert.Single(result.Contents));
        Assert.Equal("application/json", contents.MimeType);
        using var json = JsonDocument.Parse(contents.Text);
        Assert.Equal(id, json.RootElement.GetProperty("id").GetString());
        Assert.Equal("Resource body text", json.RootElement.GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_caller_never_sees_or_changes_another_tenants_memories_through_any_tool_or_resource()
    {
        var secret = Id(await AddAsync("Tenant B's launch code is swordfish", tenant: "b", session: "b-session"));
        var client = await _pair.ConnectAsync(new EngramCaller("a"));

        Assert.StartsWith("No memories match", await client.CallTextAsync("search", new() { ["query"] = "launch code swordfish" }), StringComparison.Ordinal);
        Assert.Contains("not found", await client.CallErrorAsync("timeline", new() { ["anchor_id"] = secret }), StringComparison.Ordinal);
        Assert.StartsWith("No memory matches", await client.CallTextAsync("timeline", new() { ["query"] = "swordfish" }), StringComparison.Ordinal);
        var observations = await client.CallTextAsync("get_observations", new() { ["ids"] = new[] { secret } });
        Assert.Contains($"[{secret}] not found", observations, StringComparison.Ordinal);
        Assert.DoesNotContain("swordfish", observations, StringComparison.Ordinal);
        Assert.StartsWith("No past conversation", await client.CallTextAsync("conversation_search", new() { ["query"] = "swordfish" }), StringComparison.Ordinal);
        Assert.StartsWith("No past sessions", await client.CallTextAsync("recent_chats", new() { }), StringComparison.Ordinal);
        Assert.StartsWith("No explicit user memories", await client.CallTextAsync("memory_user_edits", new() { ["command"] = "view" }), StringComparison.Ordinal);
        Assert.Contains("not found", await client.CallErrorAsync("forget", new() { ["id"] = secret }), StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<Exception>(() => client.ReadResourceAsync($"engram://memory/{secret}", cancellationToken: TestContext.Current.CancellationToken).AsTask());

        Assert.NotNull(await _pair.Memory.GetAsync(secret, "b", TestContext.Current.CancellationToken));
    }
}
