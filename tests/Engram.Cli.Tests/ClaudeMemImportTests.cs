using System.Text.Json;
using Engram.Testing;
using Microsoft.Data.Sqlite;

namespace Engram.Cli.Tests;

public sealed class ClaudeMemImportTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    /// <summary>A database in claude-mem's current shape (its tables as its schema documents them), with a few rows.</summary>
    private string CreateClaudeMemDatabase()
    {
        SQLitePCL.Batteries_V2.Init();
        var path = _folder.File("claude-mem.db");
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE sdk_sessions (id INTEGER PRIMARY KEY, content_session_id TEXT UNIQUE NOT NULL, memory_session_id TEXT UNIQUE,
              project TEXT NOT NULL, started_at TEXT NOT NULL, started_at_epoch INTEGER NOT NULL, status TEXT NOT NULL DEFAULT 'active');
            CREATE TABLE observations (id INTEGER PRIMARY KEY, memory_session_id TEXT NOT NULL, project TEXT NOT NULL, text TEXT, type TEXT NOT NULL,
              title TEXT, subtitle TEXT, facts TEXT, narrative TEXT, concepts TEXT, files_read TEXT, files_modified TEXT, prompt_number INTEGER,
              discovery_tokens INTEGER DEFAULT 0, content_hash TEXT, created_at TEXT NOT NULL, created_at_epoch INTEGER NOT NULL);
            CREATE TABLE session_summaries (id INTEGER PRIMARY KEY, memory_session_id TEXT NOT NULL, project TEXT NOT NULL, request TEXT,
              investigated TEXT, learned TEXT, completed TEXT, next_steps TEXT, files_read TEXT, files_edited TEXT, notes TEXT,
              created_at TEXT NOT NULL, created_at_epoch INTEGER NOT NULL);
            CREATE TABLE user_prompts (id INTEGER PRIMARY KEY, content_session_id TEXT NOT NULL, prompt_number INTEGER NOT NULL,
              prompt_text TEXT NOT NULL, created_at TEXT NOT NULL, created_at_epoch INTEGER NOT NULL);
            INSERT INTO sdk_sessions VALUES (1, 'cs-1', 'ms-1', 'shop-api', '2025-12-01', 1764547200000, 'completed');
            INSERT INTO observations VALUES (1, 'ms-1', 'shop-api', NULL, 'bugfix', 'Cart rounding fixed', 'round() now keeps 2 decimals',
              '["total() rounded to integers","fixed by round(x, 2)"]', 'The cart total lost cents because round() had no digits argument.',
              '["problem-solution"]', '["src/cart.py"]', '["src/cart.py"]', 1, 900, 'h1', '2025-12-01', 1764547300000);
            INSERT INTO observations VALUES (2, 'ms-1', 'shop-api', NULL, 'discovery', 'Deploy credentials', NULL, '[]',
              'The deploy script uses DEPLOY_TOKEN=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789 from the CI vault.', '[]', '[]', '[]', 1, 100, 'h2', '2025-12-01', 1764547400000);
            INSERT INTO session_summaries VALUES (1, 'ms-1', 'shop-api', 'Fix the cart total', 'src/cart.py', 'round() needs a digits argument',
              'Fixed rounding', 'Add a test for 100% discounts', '["src/cart.py"]', '["src/cart.py"]', NULL, '2025-12-01', 1764547500000);
            INSERT INTO user_prompts VALUES (1, 'cs-1', 1, 'The cart total is off by a cent', '2025-12-01', 1764547200000);
            """;
        command.ExecuteNonQuery();
        return path;
    }

    [Fact]
    public async Task Observations_summaries_and_prompts_come_over_once_with_secrets_redacted()
    {
        var source = CreateClaudeMemDatabase();
        var engram = new EngramProcess(_folder.File("home"));

        var first = await engram.RunAsync("import", "--from", "claude-mem", source, "--json");
        Assert.Equal(0, first.ExitCode);
        using (var summary = JsonDocument.Parse(first.Stdout))
        {
            Assert.Equal(2, summary.RootElement.GetProperty("observations").GetInt32());
            Assert.Equal(1, summary.RootElement.GetProperty("summaries").GetInt32());
            Assert.Equal(1, summary.RootElement.GetProperty("prompts").GetInt32());
        }
        var again = await engram.RunAsync("import", "--from", "claude-mem", source, "--json");
        using (var summary = JsonDocument.Parse(again.Stdout))
        {
            Assert.Equal(0, summary.RootElement.GetProperty("observations").GetInt32());
            Assert.Equal(4, summary.RootElement.GetProperty("already_present").GetInt32());
        }

        using var list = JsonDocument.Parse((await engram.RunAsync("list", "--project", "shop-api", "--json")).Stdout);
        var memories = list.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(4, memories.Count);
        var bugfix = memories.Single(m => m.TryGetProperty("title", out var t) && t.GetString() == "Cart rounding fixed");
        Assert.Equal("bugfix", bugfix.GetProperty("type").GetString());
        Assert.Equal("src/cart.py", bugfix.GetProperty("files_modified")[0].GetString());
        Assert.Equal(2, bugfix.GetProperty("facts").GetArrayLength());
        Assert.Equal("ms-1", bugfix.GetProperty("scope").GetProperty("session_id").GetString());
        Assert.StartsWith("2025-12-01", bugfix.GetProperty("valid_from").GetString(), StringComparison.Ordinal);
        var summaryMemory = memories.Single(m => m.GetProperty("kind").GetString() == "summary");
        Assert.Contains("Next steps: Add a test for 100% discounts", summaryMemory.GetProperty("content").GetString(), StringComparison.Ordinal);
        var all = string.Join('\n', memories.Select(m => m.GetProperty("content").GetString()));
        Assert.DoesNotContain("ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", all, StringComparison.Ordinal);
        Assert.Contains("[REDACTED:", all, StringComparison.Ordinal);

        var search = await engram.RunAsync("search", "cart rounding cents", "--project", "shop-api", "--json");
        using var hits = JsonDocument.Parse(search.Stdout);
        Assert.True(hits.RootElement.GetProperty("results").GetArrayLength() > 0);
    }

    [Fact]
    public async Task A_file_that_is_not_claude_mem_is_refused()
    {
        var engram = new EngramProcess(_folder.File("home"));
        var other = _folder.File("other.db");
        await File.WriteAllTextAsync(other, "not a database at all, definitely not one", TestContext.Current.CancellationToken);
        var result = await engram.RunAsync("import", "--from", "claude-mem", other);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(other, result.Stderr, StringComparison.Ordinal);
        var missing = await engram.RunAsync("import", "--from", "claude-mem", _folder.File("nope.db"));
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no such file", missing.Stderr, StringComparison.Ordinal);
    }
}
