using Engram.Agents.Adapters;
using Engram.Agents.Json;
using Engram.Core;

namespace Engram.Agents.Gemini;

/// <summary>
/// Gemini CLI's files: hooks and the MCP server both in <c>~/.gemini/settings.json</c> (or
/// <c>&lt;repo&gt;/.gemini/settings.json</c>), hook time limits in milliseconds, each hook named so
/// <c>/hooks</c> in Gemini shows whose it is.
/// </summary>
/// <remarks>Gemini CLI runs hooks only in a trusted folder (trust it once in Gemini, or set <c>GEMINI_CLI_TRUST_WORKSPACE=true</c>).</remarks>
public sealed class GeminiInstaller : IAgentInstaller
{
    private static readonly HookGroupsFile Hooks = new(GeminiHookEvent.Agent, "Gemini CLI");

    public static string Home() => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".gemini");

    public static string UserSettings() => Path.Combine(Home(), "settings.json");

    public static string ProjectSettings(string projectRoot) => Path.Combine(Path.GetFullPath(projectRoot), ".gemini", "settings.json");

    public bool IsPresent() => Directory.Exists(Home()) || ShellWord.OnPath("gemini");

    public IReadOnlyList<SettingsEditResult> Install(InstallOptions options)
    {
        var path = SettingsPath(options.Scope, options.ProjectRoot);
        var groups = GeminiHookEvent.All.Select(e => new HookGroup(e.Name, e.Matcher, JsonOut.Object(
            ("name", JsonOut.Of($"engram-{e.CommandName}")),
            ("type", JsonOut.Of("command")),
            ("command", JsonOut.Of(options.HookCommand(GeminiHookEvent.Agent, e.CommandName))),
            ("timeout", JsonOut.Of(e.TimeoutMilliseconds))))).ToList();
        var hooks = Hooks.Install(path, groups);
        var mcp = McpServersFile.For(options, native: true).Register(path);
        return [hooks with { Changed = hooks.Changed || mcp.Changed, BackupPath = hooks.BackupPath ?? mcp.BackupPath }];
    }

    public IReadOnlyList<SettingsEditResult> Uninstall(string scope, string projectRoot)
    {
        var path = SettingsPath(scope, projectRoot);
        var mcp = McpServersFile.Unregister(path);
        var hooks = Hooks.Uninstall(path);
        return [hooks with { Changed = hooks.Changed || mcp.Changed, BackupPath = mcp.BackupPath ?? hooks.BackupPath }];
    }

    public IReadOnlyList<AgentCheck> Doctor(string projectRoot, AgentProcess? run = null)
    {
        var checks = new List<AgentCheck>
        {
            AgentDoctor.Hooks("Gemini CLI", Files(projectRoot), Hooks.Installed, GeminiHookEvent.All.Select(e => e.Name).ToList()),
        };
        var registered = Files(projectRoot).FirstOrDefault(f => AgentDoctor.Safe(() => McpServersFile.IsRegistered(f), false));
        checks.Add(registered is not null ? AgentDoctor.Mcp("Gemini CLI", registered) : AgentDoctor.Mcp("Gemini CLI", UserSettings()));
        return checks;
    }

    public IReadOnlyList<string> HookCommands(string projectRoot) =>
        Files(projectRoot).SelectMany(f => AgentDoctor.Safe(() => Hooks.Installed(f))).Select(c => c.Command).ToList();

    private static string[] Files(string projectRoot) => [UserSettings(), ProjectSettings(projectRoot)];

    private static string SettingsPath(string scope, string projectRoot) => scope switch
    {
        "user" => UserSettings(),
        "project" => ProjectSettings(projectRoot),
        _ => throw new EngramException($"scope '{scope}' must be user or project"),
    };
}
