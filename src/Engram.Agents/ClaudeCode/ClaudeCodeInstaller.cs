using Engram.Agents.Adapters;
using Engram.Core;

namespace Engram.Agents.ClaudeCode;

/// <summary>Claude Code's files: hooks in <c>~/.claude/settings.json</c> or <c>.claude/settings.json</c>, MCP in <c>~/.claude.json</c>.</summary>
public sealed class ClaudeCodeInstaller : IAgentInstaller
{
    public bool IsPresent() => Directory.Exists(ClaudeCodePaths.ConfigDirectory()) || ShellWord.OnPath("claude");

    public IReadOnlyList<SettingsEditResult> Install(InstallOptions options) =>
    [
        new ClaudeCodeSettingsInstaller(options).Install(SettingsPath(options.Scope, options.ProjectRoot)),
        // Installed against a running engram serve (--http), Claude Code reaches its MCP endpoint too: no process to start or stop.
        (options.ServerUrl is { } server ? McpServersFile.Http(server) : McpServersFile.For(options, native: true)).Register(ClaudeCodePaths.UserState()),
    ];

    public IReadOnlyList<SettingsEditResult> Uninstall(string scope, string projectRoot) =>
    [
        ClaudeCodeSettingsInstaller.Uninstall(SettingsPath(scope, projectRoot)),
        McpServersFile.Unregister(ClaudeCodePaths.UserState()),
    ];

    public IReadOnlyList<AgentCheck> Doctor(string projectRoot, AgentProcess? run = null) =>
    [
        AgentDoctor.Hooks("Claude Code", Files(projectRoot), ClaudeCodeSettingsInstaller.InstalledCommands, ClaudeCodeHookEvent.All.Select(e => e.Name).ToList()),
        AgentDoctor.Mcp("Claude Code", ClaudeCodePaths.UserState()),
    ];

    public IReadOnlyList<string> HookCommands(string projectRoot) =>
        Files(projectRoot).SelectMany(f => AgentDoctor.Safe(() => ClaudeCodeSettingsInstaller.InstalledCommands(f))).Select(c => c.Command).ToList();

    private static string[] Files(string projectRoot) => [ClaudeCodePaths.UserSettings(), ClaudeCodePaths.ProjectSettings(projectRoot)];

    private static string SettingsPath(string scope, string projectRoot) => scope switch
    {
        "user" => ClaudeCodePaths.UserSettings(),
        "project" => ClaudeCodePaths.ProjectSettings(projectRoot),
        _ => throw new EngramException($"scope '{scope}' must be user or project"),
    };
}
