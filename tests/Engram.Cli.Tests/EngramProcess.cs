using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>
/// Runs the built engram (engram.dll beside the test assembly) as its own process, with its own
/// ENGRAM_HOME, exactly as a user or an agent's hook would.
/// </summary>
public sealed class EngramProcess(string home)
{
    private static readonly string EngramDll = Path.Combine(AppContext.BaseDirectory, "engram.dll");

    public string Home { get; } = home;

    /// <summary>Run the <c>engram</c> executable (as an installed tool) instead of <c>dotnet engram.dll</c>.</summary>
    public bool UseAppHost { get; init; }

    /// <summary>Run the native front <c>engram-front</c> (what install.sh puts on PATH as engram) instead of <c>dotnet engram.dll</c>.</summary>
    public bool UseFront { get; init; }

    public Dictionary<string, string?> Environment { get; } = new();

    /// <summary>A program engram runs under, as its child (say <c>flock FILE</c>), instead of running it directly.</summary>
    public IReadOnlyList<string> RunUnder { get; init; } = [];

    public Task<ProcessResult> RunWithInputAsync(string? stdin, params string[] args) =>
        RunWithBytesAsync(stdin is null ? null : Encoding.UTF8.GetBytes(stdin), args);

    /// <summary>Runs engram with these exact bytes on stdin (for payloads that are not valid UTF-8).</summary>
    public async Task<ProcessResult> RunWithBytesAsync(byte[]? stdin, params string[] args)
    {
        var executable = UseFront ? "engram-front" : UseAppHost ? "engram" : null;
        string[] engram = executable is null ? ["dotnet", EngramDll] : [Path.Combine(AppContext.BaseDirectory, executable)];
        string[] command = [.. RunUnder, .. engram, .. args];
        var start = ChildProcess.StartInfo(command[0], command[1..]);
        start.Environment["ENGRAM_HOME"] = Home;
        // `engram add` starts the worker (to embed); tests that want one say so.
        start.Environment["ENGRAM_NO_WORKER"] = "1";
        foreach (var (key, value) in Environment) start.Environment[key] = value;
        return await ChildProcess.RunAsync(start, stdin, Eventually.HangGuard, (process, running) =>
        {
            lock (_running)
            {
                if (running) _running.Add(process);
                else _running.Remove(process);
            }
        });
    }

    private readonly List<Process> _running = [];

    /// <summary>Kills (SIGKILL) every process this instance started that is still running.</summary>
    public void KillAll()
    {
        lock (_running)
        {
            foreach (var process in _running) process.Kill(entireProcessTree: true);
        }
    }

    public Task<ProcessResult> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>Everything this home's log files hold, oldest file first ("" before any was written).</summary>
    public string LogText()
    {
        var logs = Path.Combine(Home, "logs");
        return Directory.Exists(logs) ? string.Concat(Directory.EnumerateFiles(logs).Order(StringComparer.Ordinal).Select(File.ReadAllText)) : "";
    }

    /// <summary>Embeds through <paramref name="provider"/>, an OpenAI-compatible server, with its key in the environment.</summary>
    public void UseOpenAiEmbeddings(FakeOpenAiServer provider, string model = "fake-embed")
    {
        Environment["ENGRAM_EMBEDDINGS__PROVIDER"] = "openai";
        Environment["ENGRAM_EMBEDDINGS__BASEURL"] = provider.BaseUrl;
        Environment["ENGRAM_EMBEDDINGS__MODEL"] = model;
        Environment["OPENAI_API_KEY"] = "sk-from-environment";
    }

    /// <summary>Runs engram with --json, asserts it succeeded and returns the document it printed.</summary>
    public async Task<JsonElement> JsonAsync(params string[] args)
    {
        var result = await RunAsync([.. args, "--json"]);
        Assert.True(result.ExitCode == 0, $"engram {string.Join(' ', args)} exited {result.ExitCode}: {result.Stderr}");
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.Clone();
    }

    /// <summary>engram add, returning the new memory's id.</summary>
    public async Task<string> AddAsync(string text, params string[] flags) =>
        (await JsonAsync(["add", text, .. flags])).GetProperty("results")[0].GetProperty("id").GetString()!;

    /// <summary>Creates the store, runs <c>engram worker</c> and returns once it listens on <c>cli.sock</c>; the task is the worker's run.</summary>
    public async Task<Task<ProcessResult>> StartWorkerAsync()
    {
        var socket = Path.Combine(Home, "cli.sock");
        Assert.Equal(0, (await RunAsync("stats")).ExitCode);
        var run = RunAsync("worker");
        await Eventually.HoldsAsync(() => File.Exists(socket) || run.IsCompleted, "the worker listening on its socket", TestContext.Current.CancellationToken);
        if (!File.Exists(socket)) Assert.Fail($"the worker exited: {(await run).Stderr}");
        return run;
    }
}
