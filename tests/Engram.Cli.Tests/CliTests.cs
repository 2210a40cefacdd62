using System.Text.Json;
using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>The user journey and its failure modes, through the real engram process.</summary>
public sealed class CliTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly EngramProcess _engram;

    public CliTests() => _engram = new EngramProcess(_folder.File("home"));

    public void Dispose() => _folder.Dispose();

    private async Task<JsonElement> JsonAsync(params string[] args)
    {
        var result = await _engram.RunAsync([.. args, "--json"]);
        Assert.True(result.ExitCode == 0, $"engram {string.Join(' ', args)} exited {result.ExitCode}: {result.Stderr}");
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.Clone();
    }

    private async Task<string> AddAsync(string text, params string[] flags)
    {
        var json = await JsonAsync(["add", text, .. flags]);
        return json.GetProperty("results")[0].GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task The_readme_journey_works_in_a_fresh_home()
    {
        var id = await AddAsync("The staging database runs PostgreSQL 16 on port 6543", "--user", "alice", "--no-infer");
        await AddAsync("Alice's favourite editor is Helix", "--user", "alice");
        await AddAsync("The office plants need water on Mondays", "--user", "alice");

        var search = await JsonAsync("search", "which port does the staging db listen on", "--user", "alice");
        var results = search.GetProperty("results");
        Assert.Equal(id, results[0].GetProperty("id").GetString());
        Assert.True(results[0].GetProperty("score").GetDouble() > 0);
        Assert.Contains("bm25", results[0].GetProperty("explanation").GetString(), StringComparison.Ordinal);

        var bob = await JsonAsync("search", "staging database port", "--user", "bob");
        Assert.Equal(0, bob.GetProperty("results").GetArrayLength());

        var list = await JsonAsync("list", "--user", "alice");
        Assert.Equal(3, list.GetProperty("results").GetArrayLength());

        var updated = await JsonAsync("update", id, "The staging database runs PostgreSQL 17 on port 6543");
        Assert.Equal("The staging database runs PostgreSQL 17 on port 6543", updated.GetProperty("memory").GetString());

        var history = (await JsonAsync("history", id)).GetProperty("results");
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
        var afterDelete = await JsonAsync("search", "staging database", "--user", "alice");
        Assert.Equal(0, afterDelete.GetProperty("results").GetArrayLength());

        var reset = await JsonAsync("reset", "--user", "alice", "--yes");
        Assert.Equal(2, reset.GetProperty("deleted").GetInt32());
        var stats = await JsonAsync("stats");
        Assert.Equal(0, stats.GetProperty("current_memories").GetInt64());
        // 3 adds, 1 update, 1 delete, 2 deletes by reset.
        Assert.Equal(7, stats.GetProperty("history_entries").GetInt64());
    }

    [Fact]
    public async Task Human_output_is_readable()
    {
        var id = await AddAsync("Deploys happen on Tuesdays", "--user", "alice");
        var search = await _engram.RunAsync("search", "deploys", "--user", "alice", "--explain");
        Assert.Equal(0, search.ExitCode);
        Assert.Contains(id, search.Stdout, StringComparison.Ordinal);
        Assert.Contains("Deploys happen on Tuesdays", search.Stdout, StringComparison.Ordinal);
        Assert.Contains("text #1", search.Stdout, StringComparison.Ordinal);
        var get = await _engram.RunAsync("get", id);
        Assert.Contains("user=alice", get.Stdout, StringComparison.Ordinal);
        var stats = await _engram.RunAsync("stats");
        Assert.Contains("1 current", stats.Stdout, StringComparison.Ordinal);
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

    [Fact]
    public async Task A_corrupt_settings_file_is_named_in_the_error()
    {
        Directory.CreateDirectory(_engram.Home);
        var settings = Path.Combine(_engram.Home, "settings.json");
        await File.WriteAllTextAsync(settings, "{ \"Llm\": { \"Provider\": \"none\", }\n  \"Search\": [ }", TestContext.Current.CancellationToken);
        var result = await _engram.RunAsync("list");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(settings, result.Stderr, StringComparison.Ordinal);
        Assert.Contains("invalid JSON at line", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"Serch\": {\"RrfK\": 10}}", "unknown setting 'Serch:RrfK'")]
    [InlineData("{\"Search\": {\"RecencyWieght\": 0.1}}", "unknown setting 'Search:RecencyWieght'")]
    [InlineData("{\"Search\": {\"RecencyWeight\": \"lots\"}}", "Search:RecencyWeight is 'lots'")]
    [InlineData("{\"Search\": {\"RecencyWeight\": 3}}", "Search:RecencyWeight must be")]
    [InlineData("{\"Llm\": {\"Provider\": \"skynet\"}}", "Llm:Provider is 'skynet'")]
    [InlineData("[1, 2]", "must be a JSON object")]
    public async Task Broken_settings_name_the_key(string json, string expected)
    {
        Directory.CreateDirectory(_engram.Home);
        await File.WriteAllTextAsync(Path.Combine(_engram.Home, "settings.json"), json, TestContext.Current.CancellationToken);
        var result = await _engram.RunAsync("list");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Environment_overrides_are_checked_and_applied()
    {
        _engram.Environment["ENGRAM_SEARCH__RRFK"] = "0";
        var bad = await _engram.RunAsync("list");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("Search:RrfK", bad.Stderr, StringComparison.Ordinal);

        _engram.Environment["ENGRAM_SEARCH__RRFK"] = "10";
        _engram.Environment["ENGRAM_LLM__PROVIDER"] = "none";
        Assert.Equal(0, (await _engram.RunAsync("list")).ExitCode);

        _engram.Environment["ENGRAM_SEARCH__NOPE"] = "1";
        var unknown = await _engram.RunAsync("list");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("ENGRAM_SEARCH__NOPE", unknown.Stderr, StringComparison.Ordinal);
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
        await AddAsync("The staging database listens on port 6543");
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
        var list = await JsonAsync("list", "--user", "load");
        Assert.Equal(90, list.GetProperty("results").GetArrayLength());
    }

    [Fact]
    public async Task An_openai_compatible_embedding_provider_adds_the_vector_signal()
    {
        await using var provider = new FakeOpenAiServer();
        _engram.Environment["ENGRAM_EMBEDDINGS__PROVIDER"] = "openai";
        _engram.Environment["ENGRAM_EMBEDDINGS__BASEURL"] = provider.BaseUrl;
        _engram.Environment["ENGRAM_EMBEDDINGS__MODEL"] = "fake-embed";
        _engram.Environment["OPENAI_API_KEY"] = "sk-from-environment";
        await AddAsync("Bob repaired the bicycle");
        var car = await AddAsync("Alice bought a red car last spring");
        var hits = (await JsonAsync("search", "automobile purchase")).GetProperty("results");
        Assert.Equal(car, hits[0].GetProperty("id").GetString());
        Assert.Contains("vector #1", hits[0].GetProperty("explanation").GetString(), StringComparison.Ordinal);
        Assert.All(provider.Requests, r => Assert.Equal("Bearer sk-from-environment", r.Authorization));
        Assert.All(provider.Requests, r => Assert.Equal("fake-embed", r.Body!["model"]!.GetValue<string>()));

        // A new model: the old vectors no longer count; doctor says so and reembed fixes it.
        _engram.Environment["ENGRAM_EMBEDDINGS__MODEL"] = "fake-embed-v2";
        var check = (await JsonAsync("reembed", "--check"));
        Assert.Equal(2, check.GetProperty("missing").GetInt32());
        var doctor = await _engram.RunAsync("doctor");
        Assert.Contains("2 memories have no vector from fake-embed-v2 (64 dimensions)", doctor.Stdout, StringComparison.Ordinal);
        var fixedUp = await JsonAsync("reembed");
        Assert.Equal(2, fixedUp.GetProperty("embedded").GetInt32());
        Assert.Equal(0, (await JsonAsync("reembed", "--check")).GetProperty("missing").GetInt32());
        Assert.Contains("vector #1", (await JsonAsync("search", "automobile purchase")).GetProperty("results")[0].GetProperty("explanation").GetString(), StringComparison.Ordinal);

        _engram.Environment["ENGRAM_EMBEDDINGS__BASEURL"] = "not a url";
        var bad = await _engram.RunAsync("list");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("Embeddings:BaseUrl", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_built_in_model_is_the_default_and_search_finds_meaning_once_memories_are_embedded()
    {
        var pets = await AddAsync("Maya adopted a rescue greyhound in March", "--no-infer");
        await AddAsync("Maya works night shifts as a nurse", "--no-infer");
        await AddAsync("Passwords are hashed with argon2id", "--no-infer");

        // Stored, not embedded: add leaves that to the worker, and search answers by words meanwhile.
        var stats = await JsonAsync("stats");
        Assert.Equal(3, stats.GetProperty("pending_embeddings").GetInt64());
        Assert.Equal(0, stats.GetProperty("embeddings").GetInt64());
        Assert.Equal(pets, (await JsonAsync("search", "greyhound")).GetProperty("results")[0].GetProperty("id").GetString());

        Assert.Equal(3, (await JsonAsync("reembed")).GetProperty("embedded").GetInt32());
        Assert.Equal(0, (await JsonAsync("stats")).GetProperty("pending_embeddings").GetInt64());
        var hits = (await JsonAsync("search", "does Maya have any pets?", "--explain")).GetProperty("results");
        Assert.Equal(pets, hits[0].GetProperty("id").GetString());
        Assert.Contains("vector #1", hits[0].GetProperty("explanation").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_model_is_a_doctor_message_and_search_still_answers()
    {
        _engram.Environment["ENGRAM_EMBEDDINGS__MODELPATH"] = _folder.File("no-model-here");
        var id = await AddAsync("We hash passwords with argon2id", "--no-infer");

        Assert.Equal(id, (await JsonAsync("search", "argon2id passwords")).GetProperty("results")[0].GetProperty("id").GetString());
        var doctor = await _engram.RunAsync("doctor");
        Assert.Contains("the local embedding model is missing", doctor.Stdout, StringComparison.Ordinal);
        Assert.Contains("Searches still work, by words only", doctor.Stdout, StringComparison.Ordinal);
        var reembed = await _engram.RunAsync("reembed");
        Assert.Equal(1, reembed.ExitCode);
        Assert.Contains("model.onnx does not exist", reembed.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", reembed.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_with_an_openai_compatible_provider_keeps_memories_current()
    {
        await using var provider = new FakeOpenAiServer();
        _engram.Environment["ENGRAM_LLM__PROVIDER"] = "openai";
        _engram.Environment["ENGRAM_LLM__BASEURL"] = provider.BaseUrl;
        _engram.Environment["ENGRAM_LLM__MODEL"] = "gpt-test";
        _engram.Environment["ENGRAM_LLM__APIKEY"] = "sk-settings-key";
        provider.ChatReplies.Enqueue("""{"facts": ["Alice lives in Berlin"]}""");
        provider.ChatReplies.Enqueue("""{"actions": [{"event": "ADD", "text": "Alice lives in Berlin"}]}""");
        var first = (await JsonAsync("add", "I live in Berlin", "--user", "alice", "--infer")).GetProperty("results")[0];
        Assert.Equal("ADD", first.GetProperty("event").GetString());

        provider.ChatReplies.Enqueue("""{"facts": ["Alice lives in Lisbon"]}""");
        provider.ChatReplies.Enqueue("""{"actions": [{"event": "UPDATE", "ref": 0, "text": "Alice lives in Lisbon"}]}""");
        var second = (await JsonAsync("add", "I moved to Lisbon", "--user", "alice", "--infer")).GetProperty("results")[0];
        Assert.Equal("UPDATE", second.GetProperty("event").GetString());
        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("replaces").GetString());

        var current = (await JsonAsync("list", "--user", "alice")).GetProperty("results");
        Assert.Equal("Alice lives in Lisbon", Assert.Single(current.EnumerateArray()).GetProperty("memory").GetString());
        Assert.Equal(2, (await JsonAsync("list", "--user", "alice", "--all")).GetProperty("results").GetArrayLength());
        Assert.All(provider.Requests, r => Assert.Equal("Bearer sk-settings-key", r.Authorization));

        // Every call's reported usage is counted by purpose (the fake reports 120 in / 30 out per call).
        var usage = (await JsonAsync("stats")).GetProperty("llm_usage").EnumerateArray().ToDictionary(u => u.GetProperty("purpose").GetString()!);
        Assert.Equal(2, usage["infer:extract"].GetProperty("calls").GetInt64());
        Assert.Equal(240, usage["infer:extract"].GetProperty("input_tokens").GetInt64());
        Assert.Equal(60, usage["infer:reconcile"].GetProperty("output_tokens").GetInt64());
        Assert.Equal("gpt-test", usage["infer:reconcile"].GetProperty("model").GetString());

        provider.AlwaysFail = 503;
        var down = await _engram.RunAsync("add", "My sister is called Dana", "--user", "alice", "--infer", "--json");
        Assert.Equal(0, down.ExitCode);
        Assert.Contains("stored verbatim", down.Stderr, StringComparison.Ordinal);
        Assert.Contains("needs_inference", down.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_claude_code_provider_uses_the_claude_cli_on_path()
    {
        using var claude = new FakeClaudeCli();
        _engram.Environment["PATH"] = claude.Path_;
        _engram.Environment["ENGRAM_LLM__PROVIDER"] = "auto";
        _engram.Environment["OPENAI_API_KEY"] = null;
        claude.Reply("""{"facts": ["Bob prefers window seats"]}""");
        claude.Reply("""{"actions": [{"event": "ADD", "text": "Bob prefers window seats"}]}""");
        var added = (await JsonAsync("add", "put me by the window please", "--user", "bob", "--infer")).GetProperty("results")[0];
        Assert.Equal("Bob prefers window seats", added.GetProperty("memory").GetString());
        var doctor = await _engram.RunAsync("doctor");
        Assert.Contains("Llm:Provider auto uses claude-code", doctor.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, claude.Arguments.Count);
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
