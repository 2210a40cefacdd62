using Engram.Agents;
using Engram.Agents.Capture;
using Engram.Agents.ClaudeCode;
using Engram.Core;
using Engram.Hosting;

namespace Engram.Cli;

/// <summary>install, uninstall and doctor: one-command setup for Claude Code, and a plain-words diagnosis.</summary>
internal static class InstallCommands
{
    public static IEnumerable<CommandSpec> All() =>
    [
        new("install", "engram install [--agent claude-code] [--scope user|project] [--command CMD] [--json]",
            "wire Engram's hooks and MCP server into Claude Code (idempotent; keeps your other settings)",
            ["agent", "scope", "command"], ["json"], 0, InstallAsync),
        new("uninstall", "engram uninstall [--agent claude-code] [--scope user|project] [--json]",
            "remove exactly what install added", ["agent", "scope"], ["json"], 0, UninstallAsync),
        new("doctor", "engram doctor [--json]", "what is installed, whether the worker runs, the queue, the last errors", [], ["json"], 0, DoctorAsync),
    ];

    private static (string SettingsPath, string Scope) Target(CommandLine line)
    {
        var agent = line.Value("agent") ?? "claude-code";
        if (agent != "claude-code")
        {
            throw new UsageException($"--agent '{agent}' is not supported yet; this version integrates claude-code");
        }
        var scope = line.Value("scope") ?? "user";
        return scope switch
        {
            "user" => (ClaudeCodePaths.UserSettings(), scope),
            "project" => (ClaudeCodePaths.ProjectSettings(ProjectIdentity.Resolve(Environment.CurrentDirectory).Root), scope),
            _ => throw new UsageException($"--scope '{scope}' must be user or project"),
        };
    }

    /// <summary>How Claude Code should run this engram: the executable, or dotnet with engram.dll.</summary>
    private static string EngramCommand(CommandLine line, string scope)
    {
        if (line.Value("command") is { Length: > 0 } explicitCommand) return explicitCommand;
        // A project's .claude/settings.json is committed and shared: name the tool, not this machine's path to it.
        if (scope == "project") return "engram";
        var (file, prefix) = WorkerLauncher.SelfCommand();
        return string.Join(' ', new[] { file }.Concat(prefix).Select(Quote));
    }

    private static string Quote(string part) => part.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '$' or '`')
        ? "'" + part.Replace("'", "'\\''", StringComparison.Ordinal) + "'"
        : part;

    private static Task<int> InstallAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var (settingsPath, scope) = Target(line);
        var command = EngramCommand(line, scope);
        var hooks = new ClaudeCodeSettingsInstaller(command).Install(settingsPath);
        var mcpPath = ClaudeCodePaths.UserState();
        var mcp = new ClaudeCodeMcpRegistration(command).Register(mcpPath);
        Report(line, "installed", scope, hooks, mcp, command);
        return Task.FromResult(0);
    }

    private static Task<int> UninstallAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var (settingsPath, scope) = Target(line);
        var hooks = ClaudeCodeSettingsInstaller.Uninstall(settingsPath);
        var mcp = ClaudeCodeMcpRegistration.Unregister(ClaudeCodePaths.UserState());
        Report(line, "uninstalled", scope, hooks, mcp, null);
        return Task.FromResult(0);
    }

    private static void Report(CommandLine line, string verb, string scope, Agents.SettingsEditResult hooks, Agents.SettingsEditResult mcp, string? command)
    {
        if (line.Json)
        {
            Output.Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("scope", scope);
                w.WriteString("settings", hooks.Path);
                w.WriteBoolean("settings_changed", hooks.Changed);
                if (hooks.BackupPath is not null) w.WriteString("settings_backup", hooks.BackupPath);
                w.WriteString("mcp_config", mcp.Path);
                w.WriteBoolean("mcp_changed", mcp.Changed);
                if (command is not null) w.WriteString("command", command);
                w.WriteEndObject();
            });
            return;
        }
        Output.Line(hooks.Changed
            ? $"{verb} Engram's Claude Code hooks in {hooks.Path}" + (hooks.BackupPath is null ? "" : $" (previous version kept as {hooks.BackupPath})")
            : $"Claude Code hooks in {hooks.Path}: nothing to change");
        Output.Line(mcp.Changed
            ? $"{verb} the engram MCP server in {mcp.Path}"
            : $"MCP server in {mcp.Path}: nothing to change");
        if (command is not null && verb == "installed") Output.Line($"hooks run: {command} hook claude-code <event>");
    }

    /// <summary>Entries under the home that group or others can read (memories, logs and captured events are private).</summary>
    private static IEnumerable<string> OpenToOthers(EngramHome home)
    {
        if (!Directory.Exists(home.Root)) yield break;
        if (Core.OwnerOnly.IsOpenToOthers(home.Root)) yield return home.Root;
        foreach (var entry in Directory.EnumerateFileSystemEntries(home.Root, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }))
        {
            if (Core.OwnerOnly.IsOpenToOthers(entry)) yield return entry;
        }
    }

    private static async Task<int> DoctorAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var home = EngramHome.Resolve();
        var checks = new List<(string Name, bool Ok, string Detail)>();
        void Check(string name, bool ok, string detail) => checks.Add((name, ok, detail));

        Check("home", true, home.Root);
        // Before the store opens: opening tightens Engram's own folders and database, and this reports what was found.
        var open = OpenToOthers(home).ToList();
        Check("permissions", open.Count == 0, open.Count == 0
            ? "home and its files are readable by you only"
            : $"readable by other users: {string.Join(", ", open.Take(5))}{(open.Count > 5 ? $" and {open.Count - 5} more" : "")} (fix: chmod -R go-rwx {home.Root})");

        EngramRuntime? runtime = null;
        try
        {
            runtime = await EngramRuntime.OpenAsync(home, cancellationToken: cancellationToken);
            Check("settings", true, File.Exists(home.SettingsPath) ? $"{home.SettingsPath} is valid" : "defaults (no settings.json)");
            var stats = await runtime.Store.GetStatsAsync(Core.Model.MemoryScope.DefaultTenant, cancellationToken);
            Check("store", true, $"{stats.Location}: {stats.CurrentMemories} memories, {Output.Size(stats.StoreBytes)}");
            Check("queue", stats.QueueFailed == 0,
                $"{stats.QueuePending} event(s) waiting, {stats.QueueFailed} set aside" + (stats.QueueFailed > 0 ? " (retry with: engram process --retry)" : ""));
            foreach (var failed in await runtime.Queue.ListFailedAsync(5, cancellationToken))
            {
                Check("set aside", false, $"#{failed.Seq} {failed.Kind} at {Output.Time(failed.EnqueuedAt)}: {failed.LastError}");
            }
            var provider = EngramRuntime.ResolveProvider(runtime.Settings.Llm);
            Check("llm", true, provider == "none"
                ? $"offline (Llm:Provider {runtime.Settings.Llm.Provider}): observations and facts are extracted without a model"
                : runtime.Settings.Llm.Provider == "auto" ? $"Llm:Provider auto uses {provider}" : $"Llm:Provider {provider}");
            if (runtime.Settings.Embeddings.Provider != "none" && runtime.Memory is Core.Services.MemoryService service)
            {
                try
                {
                    var (missing, _, model, dimensions) = await service.ReembedAsync(Core.Model.MemoryScope.DefaultTenant, apply: false, cancellationToken);
                    Check("embeddings", missing == 0, missing == 0
                        ? $"{model}, {dimensions} dimensions, every memory embedded"
                        : $"{missing} memories have no vector from {model} ({dimensions} dimensions), so vector search skips them: run engram reembed");
                }
                catch (EngramException ex)
                {
                    Check("embeddings", false, ex.Message);
                }
            }
        }
        catch (EngramException ex)
        {
            Check("settings or store", false, ex.Message);
        }
        catch (System.Data.Common.DbException ex)
        {
            // A damaged file can open fine and fail on the first query.
            Check("store", false, $"the database cannot be read ({ex.Message}); move it aside or restore a backup");
        }
        finally
        {
            if (runtime is not null) await runtime.DisposeAsync();
        }

        var spooled = Spool.ForHome(home.Root);
        var spool = spooled.Count();
        var inMemory = spooled.FallbackCount();
        Check("spool", inMemory == 0, spool == 0 ? "empty"
            : $"{spool} captured event(s) not yet picked up" + (inMemory > 0 ? $", {inMemory} of them kept in memory ({spooled.FallbackFolder}) because the disk was full: free some space" : ""));
        var worker = WorkerLauncher.IsRunning(home);
        Check("worker", true, worker ? "running" : "not running (the next hook starts it; 'engram process' drains the queue now)");

        var userSettings = ClaudeCodePaths.UserSettings();
        var userEvents = SafeInstalledEvents(userSettings);
        var project = ProjectIdentity.Resolve(Environment.CurrentDirectory);
        var projectSettings = ClaudeCodePaths.ProjectSettings(project.Root);
        var projectEvents = SafeInstalledEvents(projectSettings);
        var installed = userEvents.Count > 0 || projectEvents.Count > 0;
        Check("claude code hooks", installed, installed
            ? string.Join("; ", new[] { (userSettings, userEvents), (projectSettings, projectEvents) }.Where(t => t.Item2.Count > 0).Select(t => $"{t.Item1}: {string.Join(", ", t.Item2)}"))
            : $"not installed (run: engram install)");
        var mcpPath = ClaudeCodePaths.UserState();
        var mcp = SafeIsRegistered(mcpPath);
        Check("claude code mcp", mcp, mcp ? $"engram registered in {mcpPath}" : $"not registered in {mcpPath} (run: engram install)");
        Check("project here", true, $"{project.Key} ({project.Source.ToString().ToLowerInvariant()})");

        var errors = HookLog.ForHome(home.Root).LastErrors(5);

        if (line.Json)
        {
            Output.Json(w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("checks");
                foreach (var (name, ok, detail) in checks)
                {
                    w.WriteStartObject();
                    w.WriteString("name", name);
                    w.WriteBoolean("ok", ok);
                    w.WriteString("detail", detail);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("last_errors");
                foreach (var error in errors) w.WriteStringValue(error);
                w.WriteEndArray();
                w.WriteEndObject();
            });
        }
        else
        {
            foreach (var (name, ok, detail) in checks) Output.Line($"{(ok ? "ok " : "!! ")} {name,-18} {detail}");
            Output.Line(errors.Count == 0 ? "ok  last errors        none" : "!!  last errors:");
            foreach (var error in errors) Output.Line("      " + error);
        }
        return 0;
    }

    private static IReadOnlyList<string> SafeInstalledEvents(string path)
    {
        try
        {
            return ClaudeCodeSettingsInstaller.InstalledEvents(path);
        }
        catch (EngramException)
        {
            return [];
        }
    }

    private static bool SafeIsRegistered(string path)
    {
        try
        {
            return ClaudeCodeMcpRegistration.IsRegistered(path);
        }
        catch (EngramException)
        {
            return false;
        }
    }
}
