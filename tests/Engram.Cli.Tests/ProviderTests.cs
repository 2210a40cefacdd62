using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>engram with model providers: an OpenAI-compatible server on 127.0.0.1 (the real wire protocol), the built-in model, the claude CLI.</summary>
public sealed class ProviderTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly EngramProcess _engram;

    public ProviderTests() => _engram = new EngramProcess(_folder.File("home"));

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task An_openai_compatible_embedding_provider_adds_the_vector_signal()
    {
        await using var provider = new FakeOpenAiServer();
        _engram.UseOpenAiEmbeddings(provider);
        await _engram.AddAsync("Bob repaired the bicycle");
        var car = await _engram.AddAsync("Alice bought a red car last spring");
        var hits = (await _engram.JsonAsync("search", "automobile purchase")).GetProperty("results");
        Assert.Equal(car, hits[0].GetProperty("id").GetString());
        Assert.Contains("vector #1", hits[0].GetProperty("explanation").GetString(), StringComparison.Ordinal);
        Assert.All(provider.Requests, r => Assert.Equal("Bearer sk-from-environment", r.Authorization));
        Assert.All(provider.Requests, r => Assert.Equal("fake-embed", r.Body!["model"]!.GetValue<string>()));

        // A new model: the old vectors no longer count; doctor says so and reembed fixes it.
        _engram.Environment["ENGRAM_EMBEDDINGS__MODEL"] = "fake-embed-v2";
        var check = (await _engram.JsonAsync("reembed", "--check"));
        Assert.Equal(2, check.GetProperty("missing").GetInt32());
        var doctor = await _engram.RunAsync("doctor");
        Assert.Contains("2 memories have no vector from fake-embed-v2 (64 dimensions)", doctor.Stdout, StringComparison.Ordinal);
        var fixedUp = await _engram.JsonAsync("reembed");
        Assert.Equal(2, fixedUp.GetProperty("embedded").GetInt32());
        Assert.Equal(0, (await _engram.JsonAsync("reembed", "--check")).GetProperty("missing").GetInt32());
        Assert.Contains("vector #1", (await _engram.JsonAsync("search", "automobile purchase")).GetProperty("results")[0].GetProperty("explanation").GetString(), StringComparison.Ordinal);

        _engram.Environment["ENGRAM_EMBEDDINGS__BASEURL"] = "not a url";
        var bad = await _engram.RunAsync("list");
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("Embeddings:BaseUrl", bad.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_built_in_model_is_the_default_and_search_finds_meaning_once_memories_are_embedded()
    {
        var pets = await _engram.AddAsync("Maya adopted a rescue greyhound in March", "--no-infer");
        await _engram.AddAsync("Maya works night shifts as a nurse", "--no-infer");
        await _engram.AddAsync("Passwords are hashed with argon2id", "--no-infer");

        // Stored, not embedded: add leaves that to the worker, and search answers by words meanwhile.
        var stats = await _engram.JsonAsync("stats");
        Assert.Equal(3, stats.GetProperty("pending_embeddings").GetInt64());
        Assert.Equal(0, stats.GetProperty("embeddings").GetInt64());
        Assert.Equal(pets, (await _engram.JsonAsync("search", "greyhound")).GetProperty("results")[0].GetProperty("id").GetString());

        Assert.Equal(3, (await _engram.JsonAsync("reembed")).GetProperty("embedded").GetInt32());
        Assert.Equal(0, (await _engram.JsonAsync("stats")).GetProperty("pending_embeddings").GetInt64());
        var hits = (await _engram.JsonAsync("search", "does Maya have any pets?", "--explain")).GetProperty("results");
        Assert.Equal(pets, hits[0].GetProperty("id").GetString());
        Assert.Contains("vector #1", hits[0].GetProperty("explanation").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_model_is_a_doctor_message_and_search_still_answers()
    {
        _engram.Environment["ENGRAM_EMBEDDINGS__MODELPATH"] = _folder.File("no-model-here");
        var id = await _engram.AddAsync("We hash passwords with argon2id", "--no-infer");

        Assert.Equal(id, (await _engram.JsonAsync("search", "argon2id passwords")).GetProperty("results")[0].GetProperty("id").GetString());
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
        var first = (await _engram.JsonAsync("add", "I live in Berlin", "--user", "alice", "--infer")).GetProperty("results")[0];
        Assert.Equal("ADD", first.GetProperty("event").GetString());

        provider.ChatReplies.Enqueue("""{"facts": ["Alice lives in Lisbon"]}""");
        provider.ChatReplies.Enqueue("""{"actions": [{"event": "UPDATE", "ref": 0, "text": "Alice lives in Lisbon"}]}""");
        var second = (await _engram.JsonAsync("add", "I moved to Lisbon", "--user", "alice", "--infer")).GetProperty("results")[0];
        Assert.Equal("UPDATE", second.GetProperty("event").GetString());
        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("replaces").GetString());

        var current = (await _engram.JsonAsync("list", "--user", "alice")).GetProperty("results");
        Assert.Equal("Alice lives in Lisbon", Assert.Single(current.EnumerateArray()).GetProperty("memory").GetString());
        Assert.Equal(2, (await _engram.JsonAsync("list", "--user", "alice", "--all")).GetProperty("results").GetArrayLength());
        Assert.All(provider.Requests, r => Assert.Equal("Bearer sk-settings-key", r.Authorization));

        // Every call's reported usage is counted by purpose (the fake reports 120 in / 30 out per call).
        var usage = (await _engram.JsonAsync("stats")).GetProperty("llm_usage").EnumerateArray().ToDictionary(u => u.GetProperty("purpose").GetString()!);
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
        var added = (await _engram.JsonAsync("add", "put me by the window please", "--user", "bob", "--infer")).GetProperty("results")[0];
        Assert.Equal("Bob prefers window seats", added.GetProperty("memory").GetString());
        var doctor = await _engram.RunAsync("doctor");
        Assert.Contains("Llm:Provider auto uses claude-code", doctor.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, claude.Arguments.Count);
    }
}
