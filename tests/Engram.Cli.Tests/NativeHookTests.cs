using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>
/// The native hook (engram-hook, NativeAOT, published beside engram.dll by this project's build) driven as
/// Claude Code runs it: its spool files become memories through the real worker, session-start answers
/// from the context the worker keeps ready, falls back to the managed path when nothing current is ready,
/// and garbage never makes it fail or print.
/// </summary>
public sealed class NativeHookTests : IDisposable
{
    private static readonly string NativeHook = Path.Combine(AppContext.BaseDirectory, "engram-hook");
    private readonly TempFolder _folder = new();
    private readonly EngramProcess _engram;
    private readonly string _repo;

    public NativeHookTests()
    {
        _engram = new EngramProcess(_folder.File("home"));
        _repo = _folder.File("shop");
        Directory.CreateDirectory(_repo);
        Run("git", _repo, "init", "-q");
    }

    public void Dispose()
    {
        // A worker the hook started exits on its own after its idle time (a fraction of a second here).
        _folder.Dispose();
    }

    private static void Run(string file, string cwd, params string[] args)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    private async Task<ProcessResult> HookAsync(string stdin, Dictionary<string, string>? environment, params string[] args)
    {
        var start = ChildProcess.StartInfo(NativeHook, args);
        start.Environment["ENGRAM_HOME"] = _engram.Home;
        start.Environment["ENGRAM_WORKER__IDLEMINUTES"] = "0.002";
        foreach (var (key, value) in environment ?? []) start.Environment[key] = value;
        return await ChildProcess.RunAsync(start, Encoding.UTF8.GetBytes(stdin), Eventually.HangGuard);
    }

    /// <summary>A nested "cwd" comes first: the hook must take the top-level one.</summary>
    private string SessionStartPayload(string session) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["session_id"] = session,
        ["tool_input"] = new Dictionary<string, string> { ["cwd"] = "/nowhere/at/all", ["note"] = "braces } and \"quotes\" {" },
        ["transcript_path"] = "/tmp/none.jsonl",
        ["cwd"] = _repo,
        ["hook_event_name"] = "SessionStart",
        ["source"] = "startup",
    });

    private static readonly Dictionary<string, string> NoWorker = new() { ["ENGRAM_NO_WORKER"] = "1" };

    /// <summary>No managed engram to fall back to: any context printed must come from the ready file.</summary>
    private static readonly Dictionary<string, string> ReadyOnly = new() { ["ENGRAM_NO_WORKER"] = "1", ["ENGRAM_CLI"] = "/nonexistent/engram" };

    private async Task RunWorkerOnceAsync()
    {
        _engram.Environment["ENGRAM_WORKER__IDLEMINUTES"] = "0.001";
        Assert.Equal(0, (await _engram.RunAsync("worker")).ExitCode);
    }

    [Fact]
    public async Task A_captured_event_becomes_a_memory_through_the_worker_the_hook_starts()
    {
        var prompt = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["session_id"] = "native-1", ["transcript_path"] = "/tmp/none.jsonl", ["cwd"] = _repo,
            ["hook_event_name"] = "UserPromptSubmit", ["prompt"] = "Make the invoice export stream rows instead of buffering them",
        });
        var result = await HookAsync(prompt, null, "claude-code", "user-prompt-submit");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stdout);

        // The hook started the real worker (engram worker, found beside it), which ingests the spool file.
        await Eventually.HoldsAsync(async () =>
        {
            var list = await _engram.RunAsync("list", "--kind", "prompt", "--json");
            return list.ExitCode == 0 && list.Stdout.Contains("stream rows instead of buffering", StringComparison.Ordinal);
        }, "the prompt captured by engram-hook becoming a memory", TestContext.Current.CancellationToken);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_engram.Home, "spool"), "*.event.json"));
    }

    [Fact]
    public async Task Hooks_fired_faster_than_the_worker_starts_start_it_once()
    {
        // An agent fires hooks milliseconds apart, and a worker takes a few hundred to take its lock: each hook that
        // found no worker used to start one more .NET process beside the agent.
        var slowIdle = new Dictionary<string, string> { ["ENGRAM_WORKER__IDLEMINUTES"] = "0.02" };
        for (var i = 0; i < 10; i++)
        {
            var payload = JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["session_id"] = "burst", ["transcript_path"] = "/tmp/none.jsonl", ["cwd"] = _repo,
                ["hook_event_name"] = "PostToolUse", ["tool_name"] = "Bash", ["tool_use_id"] = $"toolu_{i}",
                ["tool_input"] = new Dictionary<string, string> { ["command"] = $"ls step{i}" },
                ["tool_response"] = new Dictionary<string, string> { ["stdout"] = "src" },
            });
            Assert.Equal(0, (await HookAsync(payload, slowIdle, "claude-code", "post-tool-use")).ExitCode);
        }
        await Eventually.HoldsAsync(() => Task.FromResult(!Directory.EnumerateFiles(Path.Combine(_engram.Home, "spool"), "*.event.json").Any()),
            "the burst's events taken in by the worker", TestContext.Current.CancellationToken);

        var log = _engram.LogText();
        Assert.Equal(1, log.Split('\n').Count(line => line.Contains("started the background worker", StringComparison.Ordinal)));
        Assert.False(File.Exists(Path.Combine(_engram.Home, "worker.starting")), "the worker withdraws the start claim once it holds its lock");
    }

    [Fact]
    public async Task Session_start_answers_from_the_ready_context_and_falls_back_when_it_may_be_stale()
    {
        Assert.Equal(0, (await _engram.RunAsync("add", "Invoices are exported as CSV with a semicolon separator", "--kind", "block")).ExitCode);

        // Nothing ready yet: the managed engram beside the hook builds the context (and keeps it for next time).
        var first = HookOutput.ContextOf(await HookAsync(SessionStartPayload("s1"), NoWorker, "claude-code", "session-start"));
        Assert.Contains("semicolon separator", first, StringComparison.Ordinal);
        Assert.Single(Directory.EnumerateFiles(Path.Combine(_engram.Home, "context"), "*.ctx"));

        // Without a managed engram to fall back to, nothing is printed until the worker vouches for the file:
        // the fallback itself wrote to the database after the file was built.
        Assert.Equal("", HookOutput.ContextOf(await HookAsync(SessionStartPayload("s2"), ReadyOnly, "claude-code", "session-start")));

        // The worker drains, rebuilds every ready context, stops, and stamps the database as it left it.
        await RunWorkerOnceAsync();
        var ready = HookOutput.ContextOf(await HookAsync(SessionStartPayload("s3"), ReadyOnly, "claude-code", "session-start"));
        Assert.Contains("semicolon separator", ready, StringComparison.Ordinal);

        // A memory added while no worker runs makes the ready context stale: it is not served.
        await RunWorkerOnceAsync(); // takes in s3's spooled event
        Assert.Equal(0, (await _engram.RunAsync("add", "Exports run nightly at 02:00 UTC", "--kind", "block")).ExitCode);
        Assert.Equal("", HookOutput.ContextOf(await HookAsync(SessionStartPayload("s4"), ReadyOnly, "claude-code", "session-start")));

        // The worker rebuilds it from the change feed; then the new memory is in the ready answer.
        await RunWorkerOnceAsync();
        var rebuilt = HookOutput.ContextOf(await HookAsync(SessionStartPayload("s5"), ReadyOnly, "claude-code", "session-start"));
        Assert.Contains("nightly at 02:00 UTC", rebuilt, StringComparison.Ordinal);
        Assert.Contains("semicolon separator", rebuilt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_memories_a_session_start_gave_are_recorded_whether_built_then_or_served_ready()
    {
        var added = await _engram.RunAsync("add", "Invoices are exported as CSV with a semicolon separator", "--kind", "block", "--json");
        Assert.Equal(0, added.ExitCode);
        using var addedJson = JsonDocument.Parse(added.Stdout);
        var blockId = addedJson.RootElement.GetProperty("results")[0].GetProperty("id").GetString()!;

        // Built by the managed fallback: recorded there, under the id of the spooled event.
        Assert.Contains("semicolon separator", HookOutput.ContextOf(await HookAsync(SessionStartPayload("inj-1"), NoWorker, "claude-code", "session-start")), StringComparison.Ordinal);
        await RunWorkerOnceAsync();
        // Served from the ready file by the native hook alone: the worker records it when it takes in the event.
        Assert.Contains("semicolon separator", HookOutput.ContextOf(await HookAsync(SessionStartPayload("inj-2"), ReadyOnly, "claude-code", "session-start")), StringComparison.Ordinal);
        await RunWorkerOnceAsync();

        await using var store = new Engram.Sqlite.SqliteMemoryStore(Path.Combine(_engram.Home, "engram.db"));
        var built = Assert.Single(await store.Injections.InjectionsForSessionAsync("default", "inj-1", TestContext.Current.CancellationToken));
        var served = Assert.Single(await store.Injections.InjectionsForSessionAsync("default", "inj-2", TestContext.Current.CancellationToken));
        foreach (var (record, source) in new[] { (built, "session-start"), (served, "session-start-cached") })
        {
            Assert.Equal((blockId, 1, "standing", source), (record.MemoryId, record.Rank, record.Reason, record.Source));
            Assert.InRange(record.Tokens, 10, 40);
            Assert.Equal(26, record.ContextId.Length);
        }
        Assert.NotEqual(built.ContextId, served.ContextId);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_engram.Home, "context", "served")));
    }

    [Fact]
    public async Task While_the_worker_runs_session_start_waits_for_it_to_take_in_new_events_instead_of_falling_back()
    {
        var blockId = await _engram.AddAsync("Invoices are exported as CSV with a semicolon separator", "--kind", "block");
        HookOutput.ContextOf(await HookAsync(SessionStartPayload("wait-1"), NoWorker, "claude-code", "session-start"));
        _engram.Environment["ENGRAM_WORKER__IDLEMINUTES"] = "1";
        var worker = await _engram.StartWorkerAsync();
        try
        {
            string Prompt(string text) => JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["session_id"] = "wait-1", ["transcript_path"] = "/tmp/none.jsonl", ["cwd"] = _repo,
                ["hook_event_name"] = "UserPromptSubmit", ["prompt"] = text,
            });
            // Past its first pass (which rebuilds every kept context): the worker has taken in an event since.
            var spool = Path.Combine(_engram.Home, "spool");
            Assert.Equal(0, (await HookAsync(Prompt("Which separator do the invoice exports use?"), NoWorker, "claude-code", "user-prompt-submit")).ExitCode);
            await Eventually.HoldsAsync(() => !Directory.EnumerateFiles(spool, "*.event.json").Any() && !File.Exists(Path.Combine(_engram.Home, "context", ".busy")),
                "the worker taking in the first prompt", TestContext.Current.CancellationToken);

            // An event lands just before the next session starts: the ready context may be behind it. The spool wakes
            // the worker, and the hook waits for it rather than falling back (there is no managed engram to fall back to).
            // The wait is lengthened from 300 ms: a loaded test machine can take longer to catch up, and then the hook
            // would give up and print nothing, which is not what this test is about.
            var prompt = Prompt("Keep the export under a minute for a year of invoices");
            Assert.Equal(0, (await HookAsync(prompt, NoWorker, "claude-code", "user-prompt-submit")).ExitCode);
            var patient = new Dictionary<string, string>(ReadyOnly) { ["ENGRAM_HOOK_READY_WAIT_MS"] = "10000" };
            var served = HookOutput.ContextOf(await HookAsync(SessionStartPayload("wait-2"), patient, "claude-code", "session-start"));
            Assert.Contains("semicolon separator", served, StringComparison.Ordinal);

            // The event was held until the hook noted what it served, so the worker records it.
            await Eventually.HoldsAsync(async () =>
            {
                await using var store = new Engram.Sqlite.SqliteMemoryStore(Path.Combine(_engram.Home, "engram.db"));
                var records = await store.Injections.InjectionsForSessionAsync("default", "wait-2", TestContext.Current.CancellationToken);
                return records.Any(r => r.MemoryId == blockId && r.Source == "session-start-cached");
            }, "the served context recorded for the second session", TestContext.Current.CancellationToken);
            Assert.Empty(Directory.EnumerateFiles(spool, ".*.held"));
        }
        finally
        {
            _engram.KillAll();
            await worker;
        }
    }

    [Fact]
    public async Task Session_start_events_are_spooled_once_even_when_the_managed_fallback_answers()
    {
        HookOutput.ContextOf(await HookAsync(SessionStartPayload("once"), NoWorker, "claude-code", "session-start"));
        Assert.Equal(0, (await _engram.RunAsync("process")).ExitCode);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(_engram.Home, "spool"), "*.event.json"));
        // The fallback is told the event is already spooled; spooling it again would queue it twice.
        SQLitePCL.Batteries_V2.Init();
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_engram.Home, "engram.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM queue WHERE kind = 'claude-code/session-start'";
        Assert.Equal(1L, (long)command.ExecuteScalar()!);
    }

    [Theory]
    [InlineData("session-start", "this is not json {")]
    [InlineData("session-start", "[1, 2, 3]")]
    [InlineData("post-tool-use", "\u0000\u0001 binary garbage")]
    [InlineData("post-tool-use", "")]
    [InlineData("no-such-event", "{}")]
    public async Task Garbage_input_exits_0_and_prints_nothing(string eventName, string stdin)
    {
        var result = await HookAsync(stdin, ReadyOnly, "claude-code", eventName);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stdout);
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public async Task Wrong_arguments_exit_0_print_nothing_and_are_logged()
    {
        var result = await HookAsync("{}", ReadyOnly, "cursor", "post-tool-use", "extra");
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("", result.Stdout);
        var badName = await HookAsync("{}", ReadyOnly, "Claude Code", "post-tool-use");
        Assert.Equal(0, badName.ExitCode);
        Assert.Equal("", badName.Stdout);
        var log = await File.ReadAllTextAsync(Directory.EnumerateFiles(Path.Combine(_engram.Home, "logs")).Single(), TestContext.Current.CancellationToken);
        Assert.Equal(2, log.Split("expected engram-hook AGENT EVENT").Length - 1);
        Assert.False(Directory.Exists(Path.Combine(_engram.Home, "spool")) && Directory.EnumerateFiles(Path.Combine(_engram.Home, "spool")).Any());
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_spool_file_is_owner_only_and_in_the_format_the_worker_reads()
    {
        const string payload = "{\"session_id\":\"fmt\",\"cwd\":\"/tmp\",\"tool_name\":\"Bash\"}";
        Assert.Equal(0, (await HookAsync(payload, NoWorker, "claude-code", "post-tool-use")).ExitCode);
        var file = Directory.EnumerateFiles(Path.Combine(_engram.Home, "spool"), "*.event.json").Single();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));
        using var envelope = JsonDocument.Parse(await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken));
        var root = envelope.RootElement;
        Assert.Equal(1, root.GetProperty("v").GetInt32());
        Assert.Equal(Path.GetFileName(file)[..^".event.json".Length], root.GetProperty("id").GetString());
        Assert.Equal("claude-code", root.GetProperty("agent").GetString());
        Assert.Equal("post-tool-use", root.GetProperty("event").GetString());
        Assert.True(DateTimeOffset.TryParse(root.GetProperty("captured_at").GetString(), out _));
        Assert.Equal(payload, root.GetProperty("payload").GetRawText());
    }
}
