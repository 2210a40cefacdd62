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

    /// <summary>
    /// Of <see cref="FirstSessionEvents"/>, those the agent really started a hook for: an event whose hook never ran
    /// cannot reach Engram. Only agents known to skip a hook now and then (and traced for it) leave any out.
    /// </summary>
    public virtual IReadOnlyList<string> FirstSessionEventsStarted() => FirstSessionEvents;

    public abstract ModelTurn ReadFile(string relativePath);

    public abstract ModelTurn RunCommand(string command);

    public abstract ModelTurn EditFile(string relativePath, string oldText, string newText);

    /// <summary>How text from a hook's additional context reads in the agent's model request.</summary>
    public virtual string AsSentToModel(string contextText) => contextText;

    private EngramProcess? _worker;

    /// <summary>
    /// Starts Engram's worker for this home with the agent's environment, as the agent's hooks leave one running
    /// (the sessions themselves start none); it runs until the agent is disposed.
    /// </summary>
    public async Task StartWorkerAsync()
    {
        var worker = new EngramProcess(Engram.Home) { UseAppHost = true };
        foreach (var (key, value) in Engram.Environment) worker.Environment[key] = value;
        foreach (var (key, value) in AgentEnvironment()) worker.Environment[key] = value;
        _ = await worker.StartWorkerAsync();
        _worker = worker;
    }

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
        CalculatorProject.Create(Project);
        Configure();
        // The agent is on PATH, as for its user: install finds it (Codex's hook trust is asked of codex itself).
        Engram.Environment["PATH"] = await AgentClis.BinFolderAsync() + Path.PathSeparator + Environment.GetEnvironmentVariable("PATH");
        var install = await Engram.RunAsync("install", "--agent", Name);
        Assert.True(install.ExitCode == 0, $"engram install --agent {Name} failed: {install.Stderr}{install.Stdout}");
        Installed();
    }

    /// <summary>After engram install: anything the test adds to the agent's configuration.</summary>
    protected virtual void Installed()
    {
    }

    /// <summary>Runs one headless session of the real CLI in the project with the model scripted to take these turns.</summary>
    public async Task<AgentCliResult> SessionAsync(string prompt, params ModelTurn[] turns)
    {
        Model.Script(turns);
        var (executable, arguments) = Headless(prompt);
        // The test drives processing with engram process; no detached worker outlives it.
        var environment = AgentEnvironment().Append(new("ENGRAM_HOME", Engram.Home)).Append(new("ENGRAM_NO_WORKER", "1"));
        return await AgentCliRun.RunAsync(Path.Combine(await AgentClis.BinFolderAsync(), executable), arguments, Project, Home, environment, Eventually.HangGuard);
    }

    protected string PathIn(string relativePath) => Path.Combine(Project, relativePath);

    public async ValueTask DisposeAsync()
    {
        _worker?.KillAll();
        foreach (var pid in WorkerProcesses.Of(Engram.Home)) WorkerProcesses.Kill(pid);
        await Model.DisposeAsync();
        _folder.Dispose();
    }
}
