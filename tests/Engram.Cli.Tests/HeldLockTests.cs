using System.Text.Json;
using Engram.Testing;
using Microsoft.Data.Sqlite;

namespace Engram.Cli.Tests;

/// <summary>
/// Reading never waits for a writer: while another process holds SQLite's write lock (here the test itself,
/// in a write transaction it keeps open until the end), search and the session-start hook must answer from
/// the last committed state. Had either taken the write lock, it could only fail ("stayed locked") or hang
/// until the lock is released, which happens after the assertions.
/// </summary>
public sealed class HeldLockTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly EngramProcess _engram;

    public HeldLockTests()
    {
        _engram = new EngramProcess(_folder.File("home"));
        _engram.Environment["ENGRAM_NO_WORKER"] = "1";
    }

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Search_and_session_start_answer_while_another_process_holds_the_write_lock()
    {
        var repo = _folder.File("work/lockapp");
        Directory.CreateDirectory(repo);
        var session = new ClaudeCodeSession("lock-session", repo);
        Assert.Equal(0, (await _engram.RunAsync("add", "The staging database is restored every night at 02:00")).ExitCode);
        Assert.Equal(0, (await _engram.RunWithInputAsync(session.Edit("src/locked_module.py", "a = 1", "a = 2"), "hook", "claude-code", "post-tool-use")).ExitCode);
        Assert.Equal(0, (await _engram.RunAsync("process")).ExitCode);
        // One more event waits in the spool: the session-start hook will want to process it, which needs the lock.
        Assert.Equal(0, (await _engram.RunWithInputAsync(session.Stop("Done. Next step: rotate the staging credentials."), "hook", "claude-code", "stop")).ExitCode);

        await using var holder = new SqliteConnection($"Data Source={Path.Combine(_engram.Home, "engram.db")};Pooling=False");
        await holder.OpenAsync(TestContext.Current.CancellationToken);
        await using var transaction = holder.BeginTransaction(deferred: false);
        using (var write = holder.CreateCommand())
        {
            write.Transaction = transaction;
            write.CommandText = "UPDATE memories SET importance = importance";
            await write.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var search = await _engram.RunAsync("search", "when is staging restored", "--json");
        Assert.True(search.ExitCode == 0, search.Stderr);
        using (var hits = JsonDocument.Parse(search.Stdout))
        {
            Assert.Contains("02:00", hits.RootElement.GetProperty("results")[0].GetProperty("memory").GetProperty("content").GetString(), StringComparison.Ordinal);
        }

        var start = await _engram.RunWithInputAsync(session.SessionStart(), "hook", "claude-code", "session-start");
        Assert.Equal(0, start.ExitCode);
        using (var output = JsonDocument.Parse(start.Stdout))
        {
            var context = output.RootElement.GetProperty("hookSpecificOutput").GetProperty("additionalContext").GetString();
            Assert.Contains("locked_module.py", context, StringComparison.Ordinal);
        }

        var list = await _engram.RunAsync("list", "--json");
        Assert.True(list.ExitCode == 0, list.Stderr);
        await transaction.RollbackAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Search_hits_are_counted_after_the_search_returns()
    {
        Assert.Equal(0, (await _engram.RunAsync("add", "Builds run on the self-hosted runner named tortoise")).ExitCode);
        var search = await _engram.RunAsync("search", "which runner do builds use", "--json");
        Assert.True(search.ExitCode == 0, search.Stderr);
        string id;
        using (var hits = JsonDocument.Parse(search.Stdout)) id = hits.RootElement.GetProperty("results")[0].GetProperty("id").GetString()!;

        // The one-shot command writes its hits when it closes, off the search path.
        var get = await _engram.RunAsync("get", id, "--json");
        using var memory = JsonDocument.Parse(get.Stdout);
        Assert.Equal(1, memory.RootElement.GetProperty("access_count").GetInt64());
    }
}
