using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Engram.Agents.Capture;
using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>The hook's failure modes: bad payloads, wrong arguments, a model call of Engram's own, a worker killed mid-way.</summary>
public sealed partial class HookTests
{
    private static bool Contains(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;

    [Theory]
    [InlineData("empty")]
    [InlineData("malformed")]
    [InlineData("binary")]
    [InlineData("huge")]
    [InlineData("not-an-object")]
    public async Task Bad_payloads_exit_0_print_nothing_and_are_logged(string kind)
    {
        var repo = NewRepo("work", "p", null);
        var payload = kind switch
        {
            "empty" => "",
            "malformed" => "{\"session_id\": \"x\", \"tool_name\": ",
            "binary" => Encoding.Latin1.GetString([0x00, 0xFF, 0xFE, 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x01]),
            "huge" => new ClaudeCodeSession("big", repo).Bash("cat big.log", new string('x', 5 * 1024 * 1024)),
            _ => "[1, 2, 3]",
        };
        foreach (var eventName in new[] { "post-tool-use", "session-start", "stop" })
        {
            var result = await _engram.RunWithInputAsync(payload, "hook", "claude-code", eventName);
            Assert.Equal(0, result.ExitCode);
            if (eventName != "session-start") Assert.Equal("", result.Stdout);
        }
        var process = await _engram.RunAsync("process", "--json");
        Assert.Equal(0, process.ExitCode);
        if (kind == "huge")
        {
            // Captured, with the 5 MB output cut to a bounded size.
            using var list = JsonDocument.Parse((await _engram.RunAsync("list", "--json")).Stdout);
            Assert.True(list.RootElement.GetProperty("results").GetArrayLength() <= 1);
            Assert.True(new FileInfo(Path.Combine(_engram.Home, "engram.db")).Length < 2 * 1024 * 1024);
        }
        else
        {
            var log = _engram.LogText();
            Assert.Contains("ERROR", log, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Hooks_inside_engrams_own_model_call_capture_nothing()
    {
        var repo = NewRepo("work", "guarded", null);
        _engram.Environment["ENGRAM_INSIDE_MODEL_CALL"] = "1";
        await HookAsync("post-tool-use", new ClaudeCodeSession("inner", repo).Edit("src/a.py", "a", "b"));
        Assert.False(Directory.Exists(Path.Combine(_engram.Home, "spool")) && Directory.EnumerateFiles(Path.Combine(_engram.Home, "spool")).Any());
    }

    [Theory]
    [InlineData("hook")]
    [InlineData("hook|claude-code")]
    [InlineData("hook|cursor|post-tool-use")]
    [InlineData("hook|claude-code|no-such-event")]
    public async Task Wrong_hook_arguments_still_exit_0(string joined)
    {
        var result = await _engram.RunWithInputAsync("{}", joined.Split('|'));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stdout);
    }

    [Fact]
    public async Task Killing_the_worker_mid_way_loses_and_duplicates_nothing()
    {
        // The worker handles about three events a millisecond; on a loaded machine the kill can come after
        // it has finished, and then nothing was tested. Such a run starts over in a fresh home.
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            var engram = new EngramProcess(_folder.File($"kill-home-{attempt}"));
            engram.Environment["ENGRAM_NO_WORKER"] = "1";
            if (await KillMidWayAsync(engram))
            {
                var process = await engram.RunAsync("process", "--json");
                Assert.Equal(0, process.ExitCode);
                using var result = JsonDocument.Parse(process.Stdout);
                Assert.Equal(0, result.RootElement.GetProperty("pending").GetInt32());
                Assert.Equal(0, result.RootElement.GetProperty("failed").GetInt32());

                using var list = JsonDocument.Parse((await engram.RunAsync("list", "--kind", "observation", "--json")).Stdout);
                var files = list.RootElement.GetProperty("results").EnumerateArray()
                    .Select(m => m.GetProperty("files_modified")[0].GetString()).ToList();
                Assert.Equal(1000, files.Count);
                Assert.Equal(1000, files.Distinct().Count());
                using var stats = JsonDocument.Parse((await engram.RunAsync("stats", "--json")).Stdout);
                Assert.Equal(1000, stats.RootElement.GetProperty("history_entries").GetInt64());
                return;
            }
        }
        Assert.Fail("in three attempts the worker always finished before it could be killed");
    }

    /// <summary>Spools 1,000 edits, starts a worker, kills it hard once it is part-way. True when the kill landed mid-way.</summary>
    private async Task<bool> KillMidWayAsync(EngramProcess engram)
    {
        var repo = NewRepo("work", "big", null);
        var spool = new Spool(Path.Combine(engram.Home, "spool"));
        var session = new ClaudeCodeSession("kill-test", repo);
        for (var i = 0; i < 1000; i++)
        {
            spool.Write("claude-code", "post-tool-use", Encoding.UTF8.GetBytes(session.Edit($"src/file{i:D4}.py", "x = 1", $"x = {i + 2}")), DateTimeOffset.UtcNow);
        }

        var worker = new EngramProcess(engram.Home);
        var run = worker.RunAsync("worker");
        // The database is polled directly and often (a read in WAL mode does not disturb the writer), so the kill
        // lands within milliseconds of the threshold; the bound only guards against a worker that hangs.
        var stopwatch = Stopwatch.StartNew();
        long observations = 0;
        while (stopwatch.Elapsed < Eventually.HangGuard)
        {
            observations = CountObservationsInDatabase(engram.Home);
            if (observations >= 20) break;
            Thread.Sleep(1);
        }
        worker.KillAll();
        await run;
        Assert.True(observations >= 20, "the worker made progress");
        return CountObservationsInDatabase(engram.Home) < 1000;
    }

    private static long CountObservationsInDatabase(string home)
    {
        var path = Path.Combine(home, "engram.db");
        if (!File.Exists(path)) return 0;
        SQLitePCL.Batteries_V2.Init();
        try
        {
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM memories WHERE kind = 'observation'";
            return (long)command.ExecuteScalar()!;
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return 0; // the schema is still being created
        }
    }
}
