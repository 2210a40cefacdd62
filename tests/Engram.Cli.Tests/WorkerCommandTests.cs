using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>
/// One-shot search and add answered by a running worker over its owner-only socket (real processes, a real
/// Unix socket, a real SQLite file): same output and exit codes as running them in-process, written to the
/// database before the command returns, and run in-process whenever the worker cannot or may not answer.
/// The native front's other ways (no worker, a worker hanging up, hostile arguments) are in CommandFrontTests.
/// </summary>
public sealed class WorkerCommandTests : IDisposable
{
    private const string Answered = "answered by the running worker";
    private readonly TempFolder _folder = new();
    private readonly EngramProcess _engram;
    private readonly EngramProcess _worker;

    public WorkerCommandTests()
    {
        _engram = new EngramProcess(_folder.File("home"));
        _worker = new EngramProcess(_engram.Home);
        // The worker answers only clients with its own settings: both get the same ones.
        foreach (var process in new[] { _engram, _worker }) process.Environment["ENGRAM_WORKER__IDLEMINUTES"] = "10";
        _engram.Environment["ENGRAM_DEBUG"] = "1";
    }

    public void Dispose()
    {
        _worker.KillAll();
        foreach (var pid in WorkerProcesses.Of(_engram.Home)) WorkerProcesses.Kill(pid);
        _folder.Dispose();
    }

    private string Socket => Path.Combine(_engram.Home, "cli.sock");

    private async Task<Task<ProcessResult>> StartWorkerAsync()
    {
        var run = await _worker.StartWorkerAsync();
        Assert.False(Core.OwnerOnly.IsOpenToOthers(Socket));
        return run;
    }

    /// <summary>The worker's client: the managed engram, or the native front with the same environment.</summary>
    private EngramProcess Client(bool throughFront)
    {
        if (!throughFront) return _engram;
        var front = new EngramProcess(_engram.Home) { UseFront = true };
        foreach (var (name, value) in _engram.Environment) front.Environment[name] = value;
        return front;
    }

    /// <summary>The managed engram as the worker's client, and the native front (engram-front, what install.sh puts on PATH).</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_worker_answers_add_and_search_and_an_add_is_stored_before_the_command_returns(bool throughFront)
    {
        var client = Client(throughFront);
        // As when the session-start hook's managed fallback starts the worker: its event id is no setting.
        _worker.Environment["ENGRAM_HOOK_SPOOLED"] = "01M8Q05HVB04H8JR812ZZS2F6G";
        var worker = await StartWorkerAsync();

        var added = await client.RunAsync("add", "The deploy key rotates every ninety days", "--user", "ops", "--no-infer");
        Assert.Equal(0, added.ExitCode);
        Assert.StartsWith("added 01", added.Stdout, StringComparison.Ordinal);
        Assert.Contains(Answered, added.Stderr, StringComparison.Ordinal);

        var found = await client.RunAsync("search", "deploy key rotation", "--user", "ops", "--json");
        Assert.Equal(0, found.ExitCode);
        Assert.Contains("ninety days", found.Stdout, StringComparison.Ordinal);
        Assert.Contains(Answered, found.Stderr, StringComparison.Ordinal);

        // A usage error keeps its exit code and message.
        var empty = await client.RunAsync("search", " ", "--user", "ops");
        Assert.Equal(2, empty.ExitCode);
        Assert.Contains("the search query is empty", empty.Stderr, StringComparison.Ordinal);

        // A query as long as one argument may be (the kernel's limit is 128 KiB) goes through whole.
        var huge = await client.RunAsync("search", string.Join(' ', Enumerable.Repeat("deploy", 16_000)), "--user", "ops");
        Assert.Equal(0, huge.ExitCode);
        Assert.Contains(Answered, huge.Stderr, StringComparison.Ordinal);
        Assert.Contains("ninety days", huge.Stdout, StringComparison.Ordinal);

        // Killed hard: the memory is in the database, and the next command (its socket file left behind) runs in-process.
        _worker.KillAll();
        await worker;
        Assert.True(File.Exists(Socket));
        var after = await client.RunAsync("search", "deploy key rotation", "--user", "ops");
        Assert.Equal(0, after.ExitCode);
        Assert.Contains("ninety days", after.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Answered, after.Stderr, StringComparison.Ordinal);
    }

    /// <summary>The managed engram as the worker's client, and the native front.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Once_settings_json_is_edited_the_worker_answers_no_command_and_stops(bool throughFront)
    {
        var client = Client(throughFront);
        var settings = Path.Combine(_engram.Home, "settings.json");
        Assert.Equal(0, (await _engram.RunAsync("stats")).ExitCode); // makes the home, owner-only
        File.WriteAllText(settings, """{ "Search": { "RrfK": 60 } }""");
        var worker = await StartWorkerAsync();
        Assert.Equal(0, (await client.RunAsync("add", "Staging runs on port 6543", "--no-infer")).ExitCode);
        Assert.Contains(Answered, (await client.RunAsync("search", "which port")).Stderr, StringComparison.Ordinal);

        // Edited while the worker runs: its settings are old, so it answers nothing, and it stops when idle.
        File.WriteAllText(settings, """{ "Search": { "RrfK": 30 } }""");
        var edited = await client.RunAsync("search", "which port");
        Assert.Equal(0, edited.ExitCode);
        Assert.Contains("6543", edited.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Answered, edited.Stderr, StringComparison.Ordinal);
        var stopped = await worker.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        Assert.Equal(0, stopped.ExitCode);
        Assert.Contains("stopped (settings.json was edited)", _engram.LogText(), StringComparison.Ordinal);

        // A worker started on the new settings answers again; broken afterwards, the command reports the file, not old answers.
        worker = await StartWorkerAsync();
        Assert.Contains(Answered, (await client.RunAsync("search", "which port")).Stderr, StringComparison.Ordinal);
        File.WriteAllText(settings, """{ "Search": { "RrfK": 30 """);
        var broken = await client.RunAsync("search", "which port");
        Assert.NotEqual(0, broken.ExitCode);
        Assert.Contains("settings.json", broken.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("6543", broken.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Answered, broken.Stderr, StringComparison.Ordinal);
        await worker.WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Commands_with_other_settings_or_standard_input_run_in_their_own_process()
    {
        await StartWorkerAsync();

        _engram.Environment["ENGRAM_SEARCH__RRFK"] = "30";
        var other = await _engram.RunAsync("add", "Staging runs on port 6543", "--no-infer");
        Assert.Equal(0, other.ExitCode);
        Assert.DoesNotContain(Answered, other.Stderr, StringComparison.Ordinal);
        _engram.Environment.Remove("ENGRAM_SEARCH__RRFK");

        var piped = await _engram.RunWithInputAsync("Production runs on port 5432", "add", "-", "--no-infer");
        Assert.Equal(0, piped.ExitCode);
        Assert.DoesNotContain(Answered, piped.Stderr, StringComparison.Ordinal);

        var found = await _engram.RunAsync("search", "which port", "--limit", "5");
        Assert.Contains(Answered, found.Stderr, StringComparison.Ordinal);
        Assert.Contains("6543", found.Stdout, StringComparison.Ordinal);
        Assert.Contains("5432", found.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_search_in_its_own_process_starts_the_worker_and_the_next_search_is_answered_by_it()
    {
        // A provider slow enough to make one search cost over a second, as loading a large store's vectors does. With a
        // remote provider an add starts no worker: only the slow search can have started it.
        await using var provider = new FakeOpenAiServer();
        _engram.UseOpenAiEmbeddings(provider);
        _engram.Environment["ENGRAM_NO_WORKER"] = "0";
        await _engram.AddAsync("Staging runs on port 6543", "--no-infer");
        Assert.Empty(WorkerProcesses.Of(_engram.Home));

        provider.Delay = TimeSpan.FromSeconds(1.5);
        var slow = await _engram.RunAsync("search", "which port");
        Assert.True(slow.ExitCode == 0, slow.Stderr);
        Assert.Contains("6543", slow.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Answered, slow.Stderr, StringComparison.Ordinal);
        await Eventually.HoldsAsync(() => File.Exists(Socket), "the worker the slow search started, listening", TestContext.Current.CancellationToken);
        Assert.False(Core.OwnerOnly.IsOpenToOthers(Socket));

        provider.Delay = TimeSpan.Zero;
        var next = await _engram.RunAsync("search", "which port");
        Assert.Contains(Answered, next.Stderr, StringComparison.Ordinal);
        Assert.Contains("6543", next.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_a_worker_started_with_warm_up_loads_the_model_and_the_vectors_before_any_search()
    {
        await _engram.AddAsync("Staging runs on port 6543", "--no-infer");
        Assert.Equal(1, (await _engram.JsonAsync("reembed")).GetProperty("embedded").GetInt32());

        var plain = await StartWorkerAsync();
        await Eventually.HoldsAsync(() => _engram.LogText().Contains("started (pid", StringComparison.Ordinal), "the plain worker's start logged", TestContext.Current.CancellationToken);
        _worker.KillAll();
        await plain;
        Assert.DoesNotContain("warmed up", _engram.LogText(), StringComparison.Ordinal);

        var warm = _worker.RunAsync("worker", "--warm-up");
        await Eventually.HoldsAsync(() => _engram.LogText().Contains("warmed up: the model and the vectors loaded", StringComparison.Ordinal) || warm.IsCompleted,
            "the warm-up logged", TestContext.Current.CancellationToken);
        Assert.False(warm.IsCompleted, $"the worker exited: {(warm.IsCompleted ? (await warm).Stderr : "")}");
        var found = await _engram.RunAsync("search", "which port");
        Assert.Contains(Answered, found.Stderr, StringComparison.Ordinal);
        Assert.Contains("6543", found.Stdout, StringComparison.Ordinal);
    }
}
