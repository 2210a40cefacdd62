using System.Text.Json;
using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>The issue's user journey and its failure modes, through the real engram process.</summary>
public sealed class CliTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly EngramProcess _engram;

    public CliTests() => _engram = new EngramProcess(_folder.File("home"));

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task The_readme_journey_works_in_a_fresh_home()
    {
        var id = await _engram.AddAsync("The staging database runs PostgreSQL 16 on port 6543", "--user", "alice", "--no-infer");
        await _engram.AddAsync("Alice's favourite editor is Helix", "--user", "alice");
        await _engram.AddAsync("The office plants need water on Mondays", "--user", "alice");

        var search = await _engram.JsonAsync("search", "which port does the staging db listen on", "--user", "alice");
        var results = search.GetProperty("results");
        Assert.Equal(id, results[0].GetProperty("id").GetString());
        Assert.True(results[0].GetProperty("score").GetDouble() > 0);
        Assert.Contains("bm25", results[0].GetProperty("explanation").GetString(), StringComparison.Ordinal);

        var bob = await _engram.JsonAsync("search", "staging database port", "--user", "bob");
        Assert.Equal(0, bob.GetProperty("results").GetArrayLength());

        var list = await _engram.JsonAsync("list", "--user", "alice");
        Assert.Equal(3, list.GetProperty("results").GetArrayLength());

        var updated = await _engram.JsonAsync("update", id, "The staging database runs PostgreSQL 17 on port 6543");
        Assert.Equal("The staging database runs PostgreSQL 17 on port 6543", updated.GetProperty("memory").GetString());

        var history = (await _engram.JsonAsync("history", id)).GetProperty("results");
        Assert.Equal(2, history.GetArrayLength());
        Assert.Equal("ADD", history[0].GetProperty("event").GetString());
        Assert.Equal("UPDATE", history[1].GetProperty("event").GetString());
        Assert.Equal(id, history[1].GetProperty("memory_id").GetString());
        Assert.Equal("The staging database runs PostgreSQL 16 on port 6543", history[1].GetProperty("old_memory").GetString());
        Assert.Equal("The staging database runs PostgreSQL 17 on port 6543", history[1].GetProperty("new_memory").GetString());

        var export = await _engram.RunAsync("export", "--user", "alice");
        Assert.Equal(0, export.ExitCode);
        var file = _folder.File("alice.jsonl");
        await File.WriteAllTextAsync(file, export.Stdout, TestContext.Current.CancellationToken);

        var other = new EngramProcess(_folder.File("other-home"));
        var import = await other.RunAsync("import", file, "--json");
        Assert.Equal(0, import.ExitCode);
        Assert.Equal(3, JsonDocument.Parse(import.Stdout).RootElement.GetProperty("added").GetInt32());
        var again = await other.RunAsync("import", file, "--json");
        Assert.Equal(0, JsonDocument.Parse(again.Stdout).RootElement.GetProperty("added").GetInt32());
        var importedHistory = await other.RunAsync("history", id, "--json");
        Assert.Equal(2, JsonDocument.Parse(importedHistory.Stdout).RootElement.GetProperty("results").GetArrayLength());
        var importedGet = await other.RunAsync("get", id, "--json");
        Assert.Equal("The staging database runs PostgreSQL 17 on port 6543", JsonDocument.Parse(importedGet.Stdout).RootElement.GetProperty("memory").GetString());

        var delete = await _engram.RunAsync("delete", id.ToLowerInvariant(), "--json");
        Assert.Equal(0, delete.ExitCode);
        Assert.Equal(id, JsonDocument.Parse(delete.Stdout).RootElement.GetProperty("id").GetString());
        var get = await _engram.RunAsync("get", id);
        Assert.Equal(1, get.ExitCode);
        Assert.Contains("deleted", get.Stderr, StringComparison.Ordinal);
        Assert.Equal("", get.Stdout);
        var afterDelete = await _engram.JsonAsync("search", "staging database", "--user", "alice");
        Assert.Equal(0, afterDelete.GetProperty("results").GetArrayLength());

        var reset = await _engram.JsonAsync("reset", "--user", "alice", "--yes");
        Assert.Equal(2, reset.GetProperty("deleted").GetInt32());
        var stats = await _engram.JsonAsync("stats");
        Assert.Equal(0, stats.GetProperty("current_memories").GetInt64());
        // 3 adds, 1 update, 1 delete, 2 deletes by reset.
        Assert.Equal(7, stats.GetProperty("history_entries").GetInt64());
    }

    [Fact]
    public async Task Human_output_is_readable()
    {
        var id = await _engram.AddAsync("Deploys happen on Tuesdays", "--user", "alice");
        var search = await _engram.RunAsync("search", "deploys", "--user", "alice", "--explain");
        Assert.Equal(0, search.ExitCode);
        Assert.Contains(id, search.Stdout, StringComparison.Ordinal);
        Assert.Contains("Deploys happen on Tuesdays", search.Stdout, StringComparison.Ordinal);
        Assert.Contains("text #1", search.Stdout, StringComparison.Ordinal);
        var get = await _engram.RunAsync("get", id);
        Assert.Contains("user=alice", get.Stdout, StringComparison.Ordinal);
        var stats = await _engram.RunAsync("stats");
        Assert.Contains("1 current", stats.Stdout, StringComparison.Ordinal);

        // history's text shows what --json holds: the memory, and each change's time, event, actor, reason and id.
        Assert.Equal(0, (await _engram.RunAsync("update", id, "Deploys happen on Wednesdays", "--reason", "the team moved them")).ExitCode);
        var changes = (await _engram.JsonAsync("history", id)).GetProperty("results");
        var history = (await _engram.RunAsync("history", id)).Stdout;
        Assert.StartsWith($"memory {id}: 2 change(s), oldest first", history, StringComparison.Ordinal);
        foreach (var change in changes.EnumerateArray())
        {
            Assert.Contains($"{change.GetProperty("event").GetString(),-9} by {change.GetProperty("actor_id").GetString()}", history, StringComparison.Ordinal);
            Assert.Contains($"(change {change.GetProperty("id").GetString()})", history, StringComparison.Ordinal);
        }
        Assert.Contains("by cli, because: the team moved them", history, StringComparison.Ordinal);
        Assert.Contains("    - Deploys happen on Tuesdays\n    + Deploys happen on Wednesdays", history.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("add")]
    [InlineData("search")]
    [InlineData("get")]
    [InlineData("update|01M7Y79X6024XSW49RZK41A4J0")]
    [InlineData("frobnicate")]
    [InlineData("add|text|--bogus")]
    [InlineData("add|text|--user")]
    [InlineData("add|two|words")]
    [InlineData("add|text|--kind|poem")]
    [InlineData("search|x|--limit|zero")]
    [InlineData("search|x|--since|last tuesday-ish")]
    [InlineData("add|x|--meta|novalue")]
    [InlineData("add|x|--importance|7")]
    [InlineData("reset")]
    public async Task Usage_errors_exit_2_with_one_line_and_no_stack_trace(string joined)
    {
        var args = joined.Length == 0 ? [] : joined.Split('|');
        var result = await _engram.RunAsync(args);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("engram", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
        if (args.Length > 0) Assert.Single(result.Stderr.Trim().Split('\n'));
    }

    [Fact]
    public async Task Runtime_errors_exit_1()
    {
        var missing = await _engram.RunAsync("get", "01M7Y79X6024XSW49RZK41A4J0");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("not found", missing.Stderr, StringComparison.Ordinal);

        var infer = await _engram.RunAsync("add", "Alice moved to Lisbon", "--infer");
        Assert.Equal(1, infer.ExitCode);
        Assert.Contains("--no-infer", infer.Stderr, StringComparison.Ordinal);

        var empty = await _engram.RunAsync("add", "   ");
        Assert.Equal(1, empty.ExitCode);
        Assert.Contains("empty", empty.Stderr, StringComparison.Ordinal);

        var noFile = await _engram.RunAsync("import", _folder.File("nope.jsonl"));
        Assert.Equal(1, noFile.ExitCode);
        Assert.Contains("no such file", noFile.Stderr, StringComparison.Ordinal);

        // File errors say what happened in words, not the runtime's resource keys.
        var noFolder = _folder.File("missing/out.jsonl");
        var export = await _engram.RunAsync("export", "--output", noFolder);
        Assert.Equal(1, export.ExitCode);
        Assert.Equal($"engram: cannot write {noFolder}: its folder does not exist", export.Stderr.Trim());
        var data = _folder.File("mini-locomo.json");
        await File.WriteAllTextAsync(data, """
            [{"sample_id": "s", "conversation": {"speaker_a": "Ana", "speaker_b": "Ben",
              "session_1_date_time": "1:56 pm on 8 May, 2023",
              "session_1": [{"speaker": "Ana", "dia_id": "D1:1", "text": "I planted tomatoes today."}]},
              "qa": [{"question": "What did Ana plant?", "answer": "tomatoes", "evidence": ["D1:1"], "category": 1}]}]
            """, TestContext.Current.CancellationToken);
        var questions = await _engram.RunAsync("eval", "locomo", "--data", data, "--questions", noFolder);
        Assert.Equal(2, questions.ExitCode);
        Assert.Contains($"cannot write --questions {noFolder}: its folder does not exist", questions.Stderr, StringComparison.Ordinal);
        var written = _folder.File("questions.jsonl");
        Assert.Equal(0, (await _engram.RunAsync("eval", "locomo", "--data", data, "--questions", written)).ExitCode);
        Assert.Contains("\"evidence\":[\"D1:1\"],\"retrieved\":[\"D1:1\"]", await File.ReadAllTextAsync(written, TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"staging")]
    [InlineData("port*")]
    [InlineData("-staging")]
    [InlineData("title:staging")]
    [InlineData("(staging OR")]
    [InlineData("NEAR(staging port)")]
    public async Task Fts_syntax_in_queries_works(string query)
    {
        await _engram.AddAsync("The staging database listens on port 6543");
        // "--" ends options, so a query may start with "-".
        var result = await _engram.RunAsync("search", "--json", "--", query);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(1, JsonDocument.Parse(result.Stdout).RootElement.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task Six_processes_adding_fifteen_memories_each_store_ninety()
    {
        // Create the store first with one add, so this test measures concurrent writers, not only concurrent creation.
        var writers = Enumerable.Range(0, 6).Select(async w =>
        {
            var failures = new List<string>();
            for (var i = 0; i < 15; i++)
            {
                var result = await _engram.RunAsync("add", $"writer {w} memory {i}", "--user", "load");
                if (result.ExitCode != 0) failures.Add(result.Stderr);
            }
            return failures;
        }).ToList();
        var failures = (await Task.WhenAll(writers)).SelectMany(f => f).ToList();
        Assert.Empty(failures);
        var list = await _engram.JsonAsync("list", "--user", "load");
        Assert.Equal(90, list.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task A_bad_import_line_is_reported_and_nothing_is_imported()
    {
        var file = _folder.File("bad.jsonl");
        var good = await _engram.RunAsync("add", "kept");
        Assert.Equal(0, good.ExitCode);
        var export = await _engram.RunAsync("export");
        await File.WriteAllTextAsync(file, export.Stdout + "{not json\n", TestContext.Current.CancellationToken);
        var other = new EngramProcess(_folder.File("other"));
        var result = await other.RunAsync("import", file);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("line 2", result.Stderr, StringComparison.Ordinal);
        var stats = await other.RunAsync("stats", "--json");
        Assert.Equal(0, JsonDocument.Parse(stats.Stdout).RootElement.GetProperty("memories").GetInt64());
    }

    [Fact]
    public async Task Text_from_standard_input_and_binary_garbage()
    {
        var fromStdin = await _engram.RunWithInputAsync("a note piped in\n", "add", "-", "--json");
        Assert.Equal(0, fromStdin.ExitCode);
        var binary = await _engram.RunWithInputAsync("abc\0def", "add", "-");
        Assert.Equal(1, binary.ExitCode);
        Assert.Contains("binary", binary.Stderr, StringComparison.Ordinal);
        var huge = await _engram.RunWithInputAsync(new string('x', 200_000), "add", "-");
        Assert.Equal(1, huge.ExitCode);
        Assert.Contains("limit", huge.Stderr, StringComparison.Ordinal);
    }
}
