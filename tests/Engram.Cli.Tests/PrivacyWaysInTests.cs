using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>
/// The standing adversarial privacy suite for the ways in that are processes: the CLI and the hooks.
/// Every secret of the corpus goes in, and the assertion is on the bytes of every file under
/// ENGRAM_HOME (engram.db with its WAL, spool, rejected files, logs) and of an export file.
/// </summary>
public sealed class PrivacyWaysInTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly EngramProcess _engram;

    public PrivacyWaysInTests()
    {
        _engram = new EngramProcess(_folder.File("home"));
        _engram.Environment["ENGRAM_NO_WORKER"] = "1";
    }

    public void Dispose() => _folder.Dispose();

    private async Task<string> ExportAsync()
    {
        var file = _folder.File("export.jsonl");
        var result = await _engram.RunAsync("export", "--output", file);
        Assert.True(result.ExitCode == 0, result.Stderr);
        return file;
    }

    private static IEnumerable<SecretSample> Part(int part, int parts) => SecretCorpus.Samples.Where((_, i) => i % parts == part);

    [Fact]
    public async Task Cli_add_update_and_meta_store_no_secret_of_the_corpus()
    {
        var secrets = new List<string>();
        var ids = new List<string>();
        // Three memories, so each text stays a realistic size; together they hold the whole corpus.
        for (var part = 0; part < 3; part++)
        {
            var samples = Part(part, 3).ToList();
            secrets.AddRange(samples.Select(s => s.Secret));
            var title = samples[0];
            var args = new List<string> { "add", string.Join('\n', samples.Skip(2).Select(s => s.Text)), "--title", title.Text, "--json" };
            // Metadata: keys that name secrets, a value holding a token, and a key that is itself a token.
            args.AddRange(["--meta", $"api_key={samples[1].Secret}", "--meta", $"DB_PASSWORD=pw{part}-{samples[2].Secret}", "--meta", $"note={samples[1].Text}",
                "--meta", $"{samples[3].Secret}=as a key", "--meta", "token=3"]);
            var added = await _engram.RunAsync([.. args]);
            Assert.True(added.ExitCode == 0, added.Stderr);
            using var json = JsonDocument.Parse(added.Stdout);
            ids.Add(json.RootElement.GetProperty("results")[0].GetProperty("id").GetString()!);
        }
        var update = await _engram.RunAsync("update", ids[0], "rotated: " + SecretCorpus.Samples[5].Text, "--reason", "leaked " + SecretCorpus.Samples[6].Text);
        Assert.True(update.ExitCode == 0, update.Stderr);
        var export = await ExportAsync();

        var files = StoredSecrets.ReadFiles([_engram.Home], export);
        var checkedCount = StoredSecrets.AssertNoneIn(files, secrets);
        Assert.True(checkedCount >= 80);
        Assert.Contains(files, f => Encoding.UTF8.GetString(f.Bytes).Contains("[REDACTED:", StringComparison.Ordinal));

        // The innocent value under a secret-sounding key is kept.
        using var got = JsonDocument.Parse((await _engram.RunAsync("get", ids[1], "--json")).Stdout);
        Assert.Equal("3", got.RootElement.GetProperty("metadata").GetProperty("token").GetString());
    }

    [Fact]
    public async Task Cli_keeps_look_alikes_as_they_are()
    {
        var changed = new List<string>();
        foreach (var chunk in SecretCorpus.Innocents.Chunk(20))
        {
            var text = string.Join('\n', chunk);
            var added = await _engram.RunAsync("add", text, "--json");
            Assert.True(added.ExitCode == 0, added.Stderr);
            using var json = JsonDocument.Parse(added.Stdout);
            var stored = json.RootElement.GetProperty("results")[0].GetProperty("memory").GetString()!;
            changed.AddRange(chunk.Where(innocent => !stored.Contains(innocent, StringComparison.Ordinal)));
        }
        Assert.True(changed.Count <= 1, $"{changed.Count} of {SecretCorpus.Innocents.Count} look-alikes were changed: " + string.Join(" | ", changed));
    }

    [Fact]
    public async Task Hook_events_store_no_secret_of_the_corpus_in_any_field()
    {
        var repo = Directory.CreateDirectory(Path.Combine(_folder.Path, "work", "app")).FullName;
        var session = new ClaudeCodeSession("privacy-session", repo);
        foreach (var part in new[] { 0, 1, 2 })
        {
            var samples = Part(part, 3).ToList();
            var input = new JsonObject { ["command"] = samples[0].Text, ["description"] = samples[1].Text };
            var env = new JsonObject();
            for (var i = 2; i < samples.Count; i += 2) input[$"arg{i}"] = samples[i].Text;
            // Structured input keeps its keys: each secret under a name that says what it is.
            env["DB_PASSWORD"] = samples[2].Secret;
            env["API_KEY"] = samples[3].Secret;
            input["env"] = env;
            var stdout = string.Join('\n', samples.Where((_, i) => i % 2 == 1).Select(s => s.Text));
            await HookAsync("post-tool-use", session.Tool("Bash", input, new JsonObject { ["stdout"] = stdout, ["stderr"] = "", ["interrupted"] = false }));
            await HookAsync("user-prompt-submit", session.Prompt("please use " + samples[^1].Text));
        }
        await HookAsync("stop", session.Stop("done; I used " + SecretCorpus.Samples[0].Text));
        Assert.Equal(0, (await _engram.RunAsync("process")).ExitCode);
        var export = await ExportAsync();

        var files = StoredSecrets.ReadFiles([_engram.Home], export);
        StoredSecrets.AssertNoneIn(files, StoredSecrets.CorpusSecrets());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_engram.Home, "spool"), "*.event.json"));
    }

    [Fact]
    public async Task A_malformed_payload_is_kept_only_redacted_and_nothing_of_it_reaches_the_logs()
    {
        var secrets = SecretCorpus.Samples.Take(40).ToList();
        var broken = "{\"session_id\":\"s\",\"tool_input\":{\"command\":\"" + string.Join("\\n", secrets.Select(s => s.Text.Replace("\"", "'", StringComparison.Ordinal)))
            + " <private>my diary entry";
        await HookAsync("post-tool-use", broken);
        await HookAsync("post-tool-use", "{\"cmd\":\"mysql -pM4lformedPw shop\", \xff broken");
        Assert.Equal(0, (await _engram.RunAsync("process")).ExitCode);

        var files = StoredSecrets.ReadFiles([_engram.Home]);
        StoredSecrets.AssertNoneIn(files, [.. secrets.Select(s => s.Secret), "my diary entry", "M4lformedPw"]);
        // The payload is kept for inspection (quarantined with its reason), in its redacted form.
        Assert.Contains(files, f => Path.GetFileName(f.Path).StartsWith("engram.db", StringComparison.Ordinal) && Encoding.UTF8.GetString(f.Bytes).Contains("[REDACTED:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_private_span_from_tool_input_to_tool_response_hides_everything_between()
    {
        var repo = Directory.CreateDirectory(Path.Combine(_folder.Path, "work", "split")).FullName;
        var session = new ClaudeCodeSession("split-session", repo);
        await HookAsync("post-tool-use", session.Tool("Bash",
            new JsonObject { ["command"] = "cat notes.txt # <private> opening here", ["description"] = "middle-of-span-one" },
            new JsonObject { ["stdout"] = "middle-of-span-two </private> visible tail", ["stderr"] = "" }));
        await HookAsync("user-prompt-submit", session.Prompt("first prompt ＜private＞ unclosed-prompt-secret"));
        await HookAsync("user-prompt-submit", session.Prompt("still-hidden-second-prompt &lt;/private&gt; second prompt tail"));
        await HookAsync("user-prompt-submit", session.Prompt("in a key: " + "{\"<private>\": \"key-hidden-value\"}"));
        Assert.Equal(0, (await _engram.RunAsync("process")).ExitCode);

        var files = StoredSecrets.ReadFiles([_engram.Home], await ExportAsync());
        StoredSecrets.AssertNoneIn(files, ["opening here", "middle-of-span-one", "middle-of-span-two", "unclosed-prompt-secret", "still-hidden-second-prompt", "key-hidden-value"]);
    }

    private async Task HookAsync(string eventName, string payload)
    {
        var result = await _engram.RunWithInputAsync(payload, "hook", "claude-code", eventName);
        Assert.Equal(0, result.ExitCode);
        Debug.Assert(eventName == "session-start" || result.Stdout.Length == 0);
    }
}
