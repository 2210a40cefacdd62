using Engram.Agents.Adapters;
using Engram.Agents.Json;
using Engram.Core;

namespace Engram.Agents.Codex;

/// <summary>
/// Codex's files: hooks in <c>~/.codex/hooks.json</c> (or <c>&lt;repo&gt;/.codex/hooks.json</c>), the MCP server and
/// the hooks' trust in Engram's block of <c>~/.codex/config.toml</c> (see <see cref="CodexConfigToml"/>).
/// </summary>
/// <remarks>
/// Codex skips a hook the user has not trusted, silently. When Codex is on PATH, install asks it for the
/// hashes of Engram's untrusted hooks (<see cref="CodexHookTrust"/>) and records them as trusted; otherwise
/// the user trusts them once with <c>/hooks</c> in Codex, and doctor says so.
/// </remarks>
public sealed class CodexInstaller : IAgentInstaller
{
    private static readonly HookGroupsFile Hooks = new(CodexHookEvent.Agent, "Codex");

    public bool IsPresent() => Directory.Exists(CodexPaths.Home()) || ShellWord.OnPath("codex");

    public IReadOnlyList<SettingsEditResult> Install(InstallOptions options)
    {
        var hooksPath = HooksPath(options.Scope, options.ProjectRoot);
        var groups = CodexHookEvent.All.Select(e => new HookGroup(e.Name, e.Matcher, JsonOut.Object(
            ("type", JsonOut.Of("command")),
            ("command", JsonOut.Of(options.HookCommand(CodexHookEvent.Agent, e.CommandName))),
            ("timeout", JsonOut.Of(e.TimeoutSeconds))))).ToList();
        var hooks = Hooks.Install(hooksPath, groups);

        // Trust Engram's hooks: those Codex does not trust yet, and those whose trust is already in Engram's block
        // (the block is rewritten whole). Trust the user gave elsewhere in the file stays where it is.
        var config = CodexPaths.Config();
        var ourBlock = CodexConfigToml.Current(config) ?? "";
        var trusted = CodexHookTrust.List(options.ProjectRoot, options.Run)?
            .Where(h => Hooks.IsOursCommand(h.Command) && (!h.Trusted || ourBlock.Contains(CodexConfigToml.Quote(h.Key), StringComparison.Ordinal)))
            .Select(h => (h.Key, h.Hash)).ToList() ?? [];
        return [hooks, CodexConfigToml.Write(config, CodexConfigToml.Block(McpServersFile.For(options, native: true), trusted))];
    }

    public IReadOnlyList<SettingsEditResult> Uninstall(string scope, string projectRoot)
    {
        var hooksPath = HooksPath(scope, projectRoot);
        var hooks = Hooks.Uninstall(hooksPath);
        var config = CodexConfigToml.Write(CodexPaths.Config(), null);
        SettingsFile.DeleteIfCreatedAndEmpty(CodexPaths.Config(), static bytes => bytes.Length == 0);
        return [hooks, config];
    }

    public IReadOnlyList<AgentCheck> Doctor(string projectRoot, AgentProcess? run = null)
    {
        var checks = new List<AgentCheck>
        {
            AgentDoctor.Hooks("Codex", Files(projectRoot), Hooks.Installed, CodexHookEvent.All.Select(e => e.Name).ToList()),
        };
        var block = AgentDoctor.Safe(() => CodexConfigToml.Current(CodexPaths.Config()), null);
        checks.Add(AgentDoctor.Mcp("Codex", CodexPaths.Config(), block is null ? null : CodexConfigToml.McpCommand(block) ?? ""));
        if (HookCommands(projectRoot).Count > 0)
        {
            var listed = CodexHookTrust.List(projectRoot, run);
            var ours = listed?.Where(h => Hooks.IsOursCommand(h.Command)).ToList();
            checks.Add(listed is null
                ? new AgentCheck("codex hook trust", false, "codex is not on PATH, so Engram cannot ask whether Codex trusts its hooks; Codex skips untrusted hooks silently (trust them with /hooks in codex)")
                : ours!.All(h => h.Trusted)
                    ? new AgentCheck("codex hook trust", true, $"Codex trusts Engram's {ours!.Count} hooks")
                    : new AgentCheck("codex hook trust", false, $"{ours!.Count(h => !h.Trusted)} of Engram's hooks are not trusted, so Codex skips them (run: engram install --agent codex, or /hooks in codex)"));
        }
        return checks;
    }

    public IReadOnlyList<string> HookCommands(string projectRoot) =>
        Files(projectRoot).SelectMany(f => AgentDoctor.Safe(() => Hooks.Installed(f))).Select(c => c.Command).ToList();

    private static string[] Files(string projectRoot) => [CodexPaths.UserHooks(), CodexPaths.ProjectHooks(projectRoot)];

    private static string HooksPath(string scope, string projectRoot) => scope switch
    {
        "user" => CodexPaths.UserHooks(),
        "project" => CodexPaths.ProjectHooks(projectRoot),
        _ => throw new EngramException($"scope '{scope}' must be user or project"),
    };
}
