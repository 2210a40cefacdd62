namespace Engram.Agents.Adapters;

/// <summary>Where and how an agent's hooks are installed.</summary>
/// <param name="Scope"><c>user</c> (the agent's files in the home folder) or <c>project</c> (files in <paramref name="ProjectRoot"/>).</param>
/// <param name="ProjectRoot">The root of the current project (for project scope, and for files kept per project).</param>
/// <param name="EngramCommand">The engram executable as hooks should run it (a path, or a name on PATH).</param>
/// <param name="NativeHook">The native <c>engram-hook</c> to run for capture instead, or null for the managed <c>engram hook</c>.</param>
/// <param name="ServerUrl">A running <c>engram serve</c> to post events to (agents that support HTTP hooks), or null.</param>
/// <param name="NativeMcp">The native <c>engram-mcp</c> to register as the MCP server (Claude Code, Codex, Gemini CLI), or null for <c>engram mcp</c>.</param>
public sealed record InstallOptions(string Scope, string ProjectRoot, string EngramCommand, string? NativeHook = null, string? ServerUrl = null, string? NativeMcp = null)
{
    /// <summary>How an installer may ask the agent's own CLI something (Codex: which hooks it trusts); null where it may not.</summary>
    public AgentProcess? Run { get; init; }

    /// <summary>
    /// Words that go between <see cref="EngramCommand"/> and engram's own arguments: the engram.dll when engram runs
    /// as <c>dotnet engram.dll</c>. Kept apart so an MCP entry gets a command and an argument list, not one string
    /// with a space that no agent would start.
    /// </summary>
    public IReadOnlyList<string> EngramArguments { get; init; } = [];

    /// <summary>engram as a POSIX shell runs it: each word quoted when it needs it.</summary>
    public string EngramShellCommand => string.Join(' ', new[] { EngramCommand }.Concat(EngramArguments).Select(ShellWord.Quote));

    /// <summary>The command a hook runs for one event: the native hook when there is one, else <c>engram hook</c>.</summary>
    public string HookCommand(string agent, string eventName) => NativeHook is { } native
        ? $"{ShellWord.Quote(native)} {agent} {eventName}"
        : $"{EngramShellCommand} hook {agent} {eventName}";
}

/// <summary>
/// Runs an agent's executable (found on PATH) in <paramref name="cwd"/>, writes <paramref name="input"/> to it one line
/// each, and returns its stdout lines up to and including the first for which <paramref name="isLast"/> is true;
/// null when the executable is missing or does not answer in time. The library itself never starts a process.
/// </summary>
public delegate IReadOnlyList<string>? AgentProcess(string executable, IReadOnlyList<string> arguments, IReadOnlyList<string> input, Func<string, bool> isLast, string cwd);

/// <summary>One line of <c>engram doctor</c> about an agent.</summary>
public sealed record AgentCheck(string Name, bool Ok, string Detail);

/// <summary>Install, uninstall and doctor for one agent's config files.</summary>
public interface IAgentInstaller
{
    /// <summary>Whether the agent seems to be used on this machine: its config folder exists or its executable is on PATH.</summary>
    bool IsPresent();

    /// <summary>Adds Engram's hooks and MCP server; idempotent, replaces an older Engram install in place.</summary>
    IReadOnlyList<SettingsEditResult> Install(InstallOptions options);

    /// <summary>Removes exactly what install added, giving back every touched file byte for byte.</summary>
    IReadOnlyList<SettingsEditResult> Uninstall(string scope, string projectRoot);

    /// <summary>What is installed for the agent, and what is missing.</summary>
    IReadOnlyList<AgentCheck> Doctor(string projectRoot, AgentProcess? run = null);

    /// <summary>The commands (or URLs) of Engram's installed hooks, user and project scope, for doctor's speed check.</summary>
    IReadOnlyList<string> HookCommands(string projectRoot);
}
