using System.Diagnostics;
using System.Text;
using Engram.Testing;
using Engram.Testing.ModelServers;

namespace Engram.Cli.Tests.RealAgents;

/// <summary>
/// One real agent CLI from npm in an isolated HOME: its model provider is a scripted fake on 127.0.0.1, Engram is
/// installed for it with <c>engram install</c> (the executable, as a user has it), and a project folder holds a
/// small Node.js module whose test fails until <c>add()</c> is fixed. Subclasses say how the CLI is configured,
/// started and how its model calls the tools.
/// </summary>
internal abstract class RealAgent : IAsyncDisposable
{
    private readonly TempFolder _folder = new();

    protected RealAgent(ScriptedModelServer model)
    {
        Model = model;
        Home = _folder.File("home");
        Project = _folder.File("calculator");
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(Project);
        Engram = new EngramProcess(Path.Combine(Home, ".engram")) { UseAppHost = true };
        Engram.Environment["HOME"] = Home;
        Engram.Environment["CLAUDE_CONFIG_DIR"] = null;
        Engram.Environment["CODEX_HOME"] = null;
    }

    /// <summary>Engram's name for the agent (<c>engram install --agent NAME</c>).</summary>
    public abstract string Name { get; }

    public ScriptedModelServer Model { get; }

    public string Home { get; }

    public string Project { get; }

    public EngramProcess Engram { get; }

    /// <summary>The hook events Engram should have captured from the first session, as queue kinds (agent/event).</summary>
    public abstract IReadOnlyList<string> FirstSessionEvents { get; }

    public abstract ModelTurn ReadFile(string relativePath);

    public abstract ModelTurn RunCommand(string command);

    public abstract ModelTurn EditFile(string relativePath, string oldText, string newText);

    /// <summary>A call of Engram's MCP <c>search</c> tool as this agent names it.</summary>
    public abstract ModelTurn SearchMemories(string query);

    /// <summary>Writes the agent's own configuration (model provider, trust) before Engram is installed.</summary>
    protected abstract void Configure();

    /// <summary>The executable (in the CLI bin folder) and arguments of one headless session with this prompt.</summary>
    protected abstract (string Executable, IEnumerable<string> Arguments) Headless(string prompt);

    /// <summary>Environment of the agent: its provider variables, telemetry and update checks off.</summary>
    protected abstract IEnumerable<KeyValuePair<string, string>> AgentEnvironment();

    /// <summary>Creates the project (a git repository with a failing test) and the agent's configuration, then runs engram install.</summary>
    public async Task InstallAsync()
    {
        Git("init", "-q");
        await File.WriteAllTextAsync(Path.Combine(Project, "math.js"), "exports.add = (a, b) => a + b + 1;\n");
        await File.WriteAllTextAsync(Path.Combine(Project, "test.js"),
            "const assert = require('assert');\nassert.strictEqual(require('./math').add(2, 2), 4);\nconsole.log('all tests passed');\n");
        Configure();
        var install = await Engram.RunAsync("install", "--agent", Name);
        Assert.True(install.ExitCode == 0, $"engram install --agent {Name} failed: {install.Stderr}{install.Stdout}");
    }

    /// <summary>Runs one headless session of the real CLI in the project with the model scripted to take these turns.</summary>
    public async Task<ProcessResult> SessionAsync(string prompt, params ModelTurn[] turns)
    {
        Model.Script(turns);
        var bin = await AgentClis.BinFolderAsync();
        var (executable, arguments) = Headless(prompt);
        var start = new ProcessStartInfo(Path.Combine(bin, executable))
        {
            WorkingDirectory = Project,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        // Nothing of the developer's own setup leaks in: no keys, no config folders, no Engram settings.
        foreach (var name in start.Environment.Keys.Where(IsPersonal).ToList()) start.Environment.Remove(name);
        start.Environment["HOME"] = Home;
        start.Environment["XDG_CONFIG_HOME"] = Path.Combine(Home, ".config");
        start.Environment["XDG_CACHE_HOME"] = Path.Combine(Home, ".cache");
        start.Environment["XDG_DATA_HOME"] = Path.Combine(Home, ".local", "share");
        start.Environment["ENGRAM_HOME"] = Engram.Home;
        // The test drives processing with engram process; no detached worker outlives it.
        start.Environment["ENGRAM_NO_WORKER"] = "1";
        // Anything that is not the fake model on 127.0.0.1 goes to a closed port: the CLIs never reach the internet.
        start.Environment["HTTPS_PROXY"] = start.Environment["HTTP_PROXY"] = "http://127.0.0.1:9";
        start.Environment["NO_PROXY"] = "127.0.0.1,localhost";
        foreach (var (key, value) in AgentEnvironment()) start.Environment[key] = value;

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{executable} did not finish within 2 minutes: {await stderr}");
        }
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }

    private static bool IsPersonal(string name) =>
        name.StartsWith("ENGRAM_", StringComparison.Ordinal) || name.StartsWith("ANTHROPIC_", StringComparison.Ordinal)
        || name.StartsWith("CLAUDE_", StringComparison.Ordinal) || name.StartsWith("OPENAI_", StringComparison.Ordinal)
        || name.StartsWith("CODEX_", StringComparison.Ordinal) || name.StartsWith("GEMINI_", StringComparison.Ordinal)
        || name.StartsWith("GOOGLE_", StringComparison.Ordinal) || name.EndsWith("_PROXY", StringComparison.OrdinalIgnoreCase);

    protected string PathIn(string relativePath) => Path.Combine(Project, relativePath);

    private void Git(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Project, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }

    public async ValueTask DisposeAsync()
    {
        await Model.DisposeAsync();
        _folder.Dispose();
    }
}
