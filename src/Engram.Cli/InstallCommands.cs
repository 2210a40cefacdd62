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
        new("install", "engram install [--agent claude-code] [--scope user|project] [--command CMD] [--hook PATH|--managed-hook] [--json]",
            "wire Engram's hooks and MCP server into Claude Code (idempotent; keeps your other settings)",
            ["agent", "scope", "command", "hook"], ["json", "managed-hook"], 0, InstallAsync)
        {
            Details = "Hooks run the native engram-hook found beside engram (a few milliseconds per event) when it is there;\n" +
                "--hook PATH names another one, --managed-hook runs 'engram hook claude-code EVENT' instead (starts .NET on every event).\n" +
                "The MCP server is the native engram-mcp beside engram when it is there (it answers the agent's first messages\n" +
                "without waiting for .NET), else 'engram mcp'; --managed-hook registers 'engram mcp' too.",
        },
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

    /// <summary>The native hook the hooks should run: --hook, else engram-hook beside this engram (user scope), else none.</summary>
    private static string? NativeHook(CommandLine line, string scope)
    {
        if (line.Has("managed-hook"))
        {
            if (line.Value("hook") is not null) throw new UsageException("--hook and --managed-hook exclude each other");
            return null;
        }
        if (line.Value("hook") is { Length: > 0 } given)
        {
            var full = Path.GetFullPath(given);
            if (!File.Exists(full)) throw new UsageException($"--hook '{given}' is not a file");
            return full;
        }
        // A project's settings are shared: they name tools on PATH, and only engram is there.
        if (scope == "project") return null;
        return BesideNativeHook();
    }

    /// <summary>engram-hook in this engram's folder, where the install puts it, or null.</summary>
    internal static string? BesideNativeHook() => Beside("engram-hook");

    /// <summary>The MCP server to register: engram-mcp beside this engram (user scope, no --managed-hook or --command), or null for 'engram mcp'.</summary>
    private static string? NativeMcpServer(CommandLine line, string scope) =>
        scope == "user" && !line.Has("managed-hook") && line.Value("command") is null ? Beside(ClaudeCodeMcpRegistration.NativeServerName) : null;

    private static string? Beside(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? name + ".exe" : name);
        return File.Exists(path) ? path : null;
    }

    private static Task<int> InstallAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var (settingsPath, scope) = Target(line);
        var command = EngramCommand(line, scope);
        var native = NativeHook(line, scope);
        var installer = new ClaudeCodeSettingsInstaller(command, native);
        var hooks = installer.Install(settingsPath);
        var mcpPath = ClaudeCodePaths.UserState();
        var mcp = new ClaudeCodeMcpRegistration(command, NativeMcpServer(line, scope)).Register(mcpPath);
        Report(line, "installed", scope, hooks, mcp, command, native);
        return Task.FromResult(0);
    }

    private static Task<int> UninstallAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var (settingsPath, scope) = Target(line);
        var hooks = ClaudeCodeSettingsInstaller.Uninstall(settingsPath);
        var mcp = ClaudeCodeMcpRegistration.Unregister(ClaudeCodePaths.UserState());
        Report(line, "uninstalled", scope, hooks, mcp, null, null);
        return Task.FromResult(0);
    }

    private static void Report(CommandLine line, string verb, string scope, Agents.SettingsEditResult hooks, Agents.SettingsEditResult mcp, string? command, string? native)
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
                if (command is not null) w.WriteString("hook", native ?? command + ClaudeCodeSettingsInstaller.CommandMarker.TrimEnd());
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
        if (command is not null && verb == "installed")
        {
            Output.Line(native is not null
                ? $"hooks run: {native} claude-code <event> (native: no .NET start per event)"
                : $"hooks run: {command} hook claude-code <event> (managed: starts .NET on every event; engram-hook is faster, see engram doctor)");
        }
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
                    var local = runtime.Settings.Embeddings.Provider == "local";
                    // With the built-in model, memories waiting for the worker are normal; they are found by their words meanwhile.
                    Check("embeddings", missing == 0 || local, missing == 0
                        ? $"{model}, {dimensions} dimensions, every memory embedded"
                        : local
                            ? $"{model} (built-in), {dimensions} dimensions: {stats.Embeddings} memories have vectors, {missing} wait for the worker (found by their words meanwhile)"
                            : $"{missing} memories have no vector from {model} ({dimensions} dimensions), so vector search skips them: run engram reembed");
                }
                catch (EngramException ex)
                {
                    Check("embeddings", false, $"{ex.Message}. Searches still work, by words only (text search), until this is fixed; or set Embeddings:Provider to none");
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
        if (installed) CheckHookSpeed(Check, [.. SafeInstalledCommands(userSettings), .. SafeInstalledCommands(projectSettings)]);
        var mcpPath = ClaudeCodePaths.UserState();
        var mcp = SafeRegisteredCommand(mcpPath);
        Check("claude code mcp", mcp is not null, mcp is not null ? $"engram registered in {mcpPath}" : $"not registered in {mcpPath} (run: engram install)");
        if (mcp is not null) CheckMcpSpeed(Check, mcp);
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

    /// <summary>Warns when the hooks start .NET on every event, or name a native hook that is not there.</summary>
    private static void CheckHookSpeed(Action<string, bool, string> check, IReadOnlyList<(string EventName, string Command)> commands)
    {
        var managed = commands.Where(c => ClaudeCodeSettingsInstaller.IsManagedCommand(c.Command)).Select(c => c.EventName).Distinct().ToList();
        if (managed.Count > 0)
        {
            var beside = BesideNativeHook();
            check("hook speed", false, $"slow path: {string.Join(", ", managed)} run the managed 'engram hook' (about 100-200 ms of .NET start-up per event); " +
                (beside is not null ? "run 'engram install' again to use the native engram-hook" : "install the native hook (see README, Install) and run 'engram install' again"));
            return;
        }
        var missing = commands.Select(c => NativeExecutable(c.Command)).Where(p => p is not null && !File.Exists(p)).Distinct().ToList();
        check("hook speed", missing.Count == 0, missing.Count == 0
            ? "native engram-hook (no .NET start per event)"
            : $"the hooks run {string.Join(", ", missing)}, which does not exist: run 'engram install' again");
    }

    /// <summary>The executable of a native hook command (its first word, unquoted), when it is a path.</summary>
    private static string? NativeExecutable(string command)
    {
        var text = command.Trim();
        string first;
        if (text.StartsWith('"'))
        {
            var close = text.IndexOf('"', 1);
            first = close < 0 ? text[1..] : text[1..close].Replace("\\\"", "\"", StringComparison.Ordinal);
        }
        else
        {
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            first = space < 0 ? text : text[..space];
        }
        return Path.IsPathRooted(first) ? first : null;
    }

    private static IReadOnlyList<(string EventName, string Command)> SafeInstalledCommands(string path)
    {
        try
        {
            return ClaudeCodeSettingsInstaller.InstalledCommands(path);
        }
        catch (EngramException)
        {
            return [];
        }
    }

    private static string? SafeRegisteredCommand(string path)
    {
        try
        {
            return ClaudeCodeMcpRegistration.RegisteredCommand(path);
        }
        catch (EngramException)
        {
            return null;
        }
    }

    /// <summary>Warns when the agent's MCP server starts .NET before it can answer initialize, or names an engram-mcp that is not there.</summary>
    private static void CheckMcpSpeed(Action<string, bool, string> check, string command)
    {
        if (!ClaudeCodeMcpRegistration.IsNativeServer(command))
        {
            check("mcp speed", false, "slow path: 'engram mcp' starts .NET before it answers the agent's initialize (about 200 ms); " +
                (Beside(ClaudeCodeMcpRegistration.NativeServerName) is not null
                    ? "run 'engram install' again to use the native engram-mcp"
                    : "install with install.sh (see README, Install) and run 'engram install' again"));
            return;
        }
        var path = Path.IsPathRooted(command) ? command : null;
        var exists = path is null || File.Exists(path);
        check("mcp speed", exists, exists ? "native engram-mcp (initialize answered without starting .NET)" : $"the MCP server is {path}, which does not exist: run 'engram install' again");
    }
}
