using Engram.Agents.Adapters;
using Engram.Core;

namespace Engram.Agents.Cursor;

/// <summary>Cursor's files: hooks in <c>~/.cursor/hooks.json</c> (or <c>.cursor/hooks.json</c>), MCP in <c>~/.cursor/mcp.json</c> (or <c>.cursor/mcp.json</c>).</summary>
public sealed class CursorInstaller : IAgentInstaller
{
    public static string Home() => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cursor");

    private static string Folder(string scope, string projectRoot) => scope switch
    {
        "user" => Home(),
        "project" => Path.Combine(Path.GetFullPath(projectRoot), ".cursor"),
        _ => throw new EngramException($"scope '{scope}' must be user or project"),
    };

    public bool IsPresent() => Directory.Exists(Home()) || ShellWord.OnPath("cursor") || ShellWord.OnPath("cursor-agent");

    public IReadOnlyList<SettingsEditResult> Install(InstallOptions options)
    {
        var folder = Folder(options.Scope, options.ProjectRoot);
        return
        [
            CursorHooksFile.Install(Path.Combine(folder, "hooks.json"), options),
            McpServersFile.For(options, native: false).Register(Path.Combine(folder, "mcp.json")),
        ];
    }

    public IReadOnlyList<SettingsEditResult> Uninstall(string scope, string projectRoot)
    {
        var folder = Folder(scope, projectRoot);
        return [CursorHooksFile.Uninstall(Path.Combine(folder, "hooks.json")), McpServersFile.Unregister(Path.Combine(folder, "mcp.json"))];
    }

    public IReadOnlyList<AgentCheck> Doctor(string projectRoot, AgentProcess? run = null)
    {
        var mcp = new[] { Path.Combine(Home(), "mcp.json"), Path.Combine(projectRoot, ".cursor", "mcp.json") };
        var registered = mcp.FirstOrDefault(f => AgentDoctor.Safe(() => McpServersFile.IsRegistered(f), false)) ?? mcp[0];
        return
        [
            AgentDoctor.Hooks("Cursor", Files(projectRoot), CursorHooksFile.Installed, CursorHooksFile.Events.Select(e => e.Name).ToList()),
            AgentDoctor.Mcp("Cursor", registered),
        ];
    }

    public IReadOnlyList<string> HookCommands(string projectRoot) =>
        Files(projectRoot).SelectMany(f => AgentDoctor.Safe(() => CursorHooksFile.Installed(f))).Select(c => c.Command).ToList();

    private static string[] Files(string projectRoot) => [Path.Combine(Home(), "hooks.json"), Path.Combine(projectRoot, ".cursor", "hooks.json")];
}
