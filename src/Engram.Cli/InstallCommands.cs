using Engram.Agents;
using Engram.Agents.Capture;
using Engram.Agents.Adapters;
using Engram.Agents.ClaudeCode;
using Engram.Core;
using Engram.Hosting;

namespace Engram.Cli;

/// <summary>install, uninstall and doctor: one-command setup for Claude Code, and a plain-words diagnosis.</summary>
internal static class InstallCommands
{
    private static readonly OptionSpec AgentName = new("agent", "only this agent", "NAME") { Candidates = () => AgentRegistry.All.Select(a => a.Name) };
    private static readonly OptionSpec InstallScope = new("scope", "user (the default) or project settings", "SCOPE") { Candidates = () => ["user", "project"] };

    public static IEnumerable<CommandSpec> All() =>
    [
        new("install", "wire Engram's hooks and MCP server into the coding agents found here, or the one named (idempotent; keeps your other settings)", InstallAsync)
        {
            Options =
            [
                AgentName, InstallScope, new("command", "the command the hooks and MCP server run (default: this engram)", "CMD"),
                new("hook", "the native capture hook to run (default: engram-hook beside engram)", "PATH"),
                OptionSpec.Flag("managed-hook", "run 'engram hook AGENT EVENT' and 'engram mcp' instead of the native programs"),
                OptionSpec.Flag("http", "Claude Code: post capture events to a running engram serve, and reach its MCP endpoint"),
                new("server", "with --http: the engram serve to post to (default http://127.0.0.1:37777)", "URL"),
                CommonOptions.Json,
            ],
            Details = () => $"Agents: {string.Join(", ", AgentRegistry.All.Select(a => a.Name))}. Without --agent, every agent whose config folder exists or whose\n" +
                "executable is on PATH. Hooks run the native engram-hook found beside engram (a few milliseconds per event) when it is there;\n" +
                "--hook PATH names another one, --managed-hook runs 'engram hook AGENT EVENT' instead (starts .NET on every event).\n" +
                "The MCP server is the native engram-mcp beside engram when it is there (it answers the agent's first messages\n" +
                "without waiting for .NET), else 'engram mcp'; --managed-hook registers 'engram mcp' too.\n" +
                "--http (Claude Code) posts capture events to a running engram serve (--server, default http://127.0.0.1:37777) and registers its /mcp endpoint, instead of starting processes.",
        },
        new("uninstall", "remove exactly what install added (every agent, or the one named)", UninstallAsync)
        {
            Options = [AgentName, InstallScope, CommonOptions.Json],
        },
        new("doctor", "what is installed per agent, whether the worker runs, the queue, the last errors", DoctorAsync) { Options = [CommonOptions.Json] },
    ];

    private static string Scope(CommandLine line)
    {
        var scope = line.Value("scope") ?? "user";
        return scope is "user" or "project" ? scope : throw new UsageException($"--scope '{scope}' must be user or project");
    }

    /// <summary>The agents named by --agent, or (install) the ones present here, or (uninstall) all.</summary>
    private static IReadOnlyList<IAgentAdapter> Agents(CommandLine line, bool presentOnly)
    {
        if (line.Value("agent") is { } name)
        {
            if (name == "all") return AgentRegistry.All;
            return AgentRegistry.Find(name) is { } adapter ? [adapter]
                : throw new UsageException($"--agent '{name}' is not an agent Engram knows; use one of {string.Join(", ", AgentRegistry.All.Select(a => a.Name))}, or all");
        }
        if (!presentOnly) return AgentRegistry.All;
        var present = AgentRegistry.All.Where(a => a.Installer.IsPresent()).ToList();
        // Nothing found: Claude Code, as before agents were detected.
        return present.Count > 0 ? present : [AgentRegistry.Find(ClaudeCodeSettingsInstaller.Agent)!];
    }

    private static string ProjectRoot() => ProjectIdentity.Resolve(Environment.CurrentDirectory).Root;

    /// <summary>How the agents should run this engram: the executable, or dotnet and the words after it (engram.dll).</summary>
    private static (string Command, string[] Arguments) EngramCommand(CommandLine line, string scope)
    {
        if (line.Value("command") is { Length: > 0 } explicitCommand) return (explicitCommand, []);
        // A project's .claude/settings.json is committed and shared: name the tool, not this machine's path to it.
        if (scope == "project") return ("engram", []);
        return WorkerLauncher.SelfCommand();
    }

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
        scope == "user" && !line.Has("managed-hook") && line.Value("command") is null ? Beside(McpServersFile.NativeServerName) : null;

    private static string? Beside(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? name + ".exe" : name);
        return File.Exists(path) ? path : null;
    }

    private static async Task<int> InstallAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var scope = Scope(line);
        var (command, arguments) = EngramCommand(line, scope);
        var native = NativeHook(line, scope);
        var agents = Agents(line, presentOnly: true);
        var server = await HttpServerAsync(line, agents, cancellationToken);
        var options = new InstallOptions(scope, ProjectRoot(), command, native, server, NativeMcpServer(line, scope)) { Run = AgentProcessRunner.Run, EngramArguments = arguments };
        var results = agents.Select(a => (Adapter: a, Files: a.Installer.Install(options))).ToList();
        Report(line, "installed", scope, results, options);
        return 0;
    }

    /// <summary>The server URL for --http, after checking it answers; null without --http.</summary>
    private static async Task<string?> HttpServerAsync(CommandLine line, IReadOnlyList<IAgentAdapter> agents, CancellationToken cancellationToken)
    {
        if (!line.Has("http"))
        {
            if (line.Value("server") is not null) throw new UsageException("--server goes with --http");
            return null;
        }
        if (agents.Any(a => a.Name != ClaudeCodeSettingsInstaller.Agent) && line.Value("agent") is not null)
        {
            throw new UsageException("--http is for Claude Code only (the other agents have no HTTP hooks); use --agent claude-code");
        }
        var url = (line.Value("server") ?? "http://127.0.0.1:37777").TrimEnd('/');
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")) throw new UsageException($"--server '{url}' is not an http URL");
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var health = await client.GetAsync(url + "/health", cancellationToken);
            if (!health.IsSuccessStatusCode) throw new EngramException($"{url}/health answered {(int)health.StatusCode}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            // HTTP hooks lose events while no server listens: refuse rather than install a hole.
            throw new EngramException($"no engram serve answers at {url} ({ex.Message}); start it first (engram serve), or install without --http");
        }
        return url;
    }

    private static Task<int> UninstallAsync(CommandLine line, CancellationToken cancellationToken)
    {
        var scope = Scope(line);
        var root = ProjectRoot();
        var results = Agents(line, presentOnly: false).Select(a => (Adapter: a, Files: a.Installer.Uninstall(scope, root))).ToList();
        Report(line, "uninstalled", scope, results, null);
        return Task.FromResult(0);
    }

    private static void Report(CommandLine line, string verb, string scope, IReadOnlyList<(IAgentAdapter Adapter, IReadOnlyList<SettingsEditResult> Files)> results, InstallOptions? options)
    {
        if (line.Json)
        {
            Output.Json(w =>
            {
                w.WriteStartObject();
                w.WriteString("scope", scope);
                if (options is not null)
                {
                    w.WriteString("command", options.EngramShellCommand);
                    w.WriteString("hook", options.NativeHook ?? options.EngramShellCommand + " hook");
                    if (options.ServerUrl is not null) w.WriteString("server", options.ServerUrl);
                }
                w.WriteStartArray("agents");
                foreach (var (adapter, files) in results)
                {
                    w.WriteStartObject();
                    w.WriteString("agent", adapter.Name);
                    w.WriteBoolean("changed", files.Any(f => f.Changed));
                    w.WriteStartArray("files");
                    foreach (var file in files)
                    {
                        w.WriteStartObject();
                        w.WriteString("path", file.Path);
                        w.WriteBoolean("changed", file.Changed);
                        if (file.BackupPath is not null) w.WriteString("backup", file.BackupPath);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            });
            return;
        }
        foreach (var (adapter, files) in results)
        {
            foreach (var file in files)
            {
                Output.Line(file.Changed
                    ? $"{adapter.DisplayName}: {verb} Engram in {file.Path}" + (file.BackupPath is null ? "" : $" (previous version kept as {file.BackupPath})")
                    : $"{adapter.DisplayName}: {file.Path}: nothing to change");
            }
        }
        if (options is not null)
        {
            Output.Line(options.NativeHook is not null
                ? $"hooks run: {options.NativeHook} AGENT EVENT (native: no .NET start per event)"
                : $"hooks run: {options.EngramShellCommand} hook AGENT EVENT (managed: starts .NET on every event; engram-hook is faster, see engram doctor)");
            if (options.ServerUrl is not null) Output.Line($"Claude Code capture events post to {options.ServerUrl} (keep engram serve running)");
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

        var project = ProjectIdentity.Resolve(Environment.CurrentDirectory);
        var hookCommands = new List<string>();
        foreach (var adapter in AgentRegistry.All)
        {
            var agentChecks = adapter.Installer.Doctor(project.Root, AgentProcessRunner.Run);
            // An agent that is neither here nor installed is not worth a line.
            if (!adapter.Installer.IsPresent() && !agentChecks.Any(c => c.Ok)) continue;
            foreach (var agentCheck in agentChecks) Check(agentCheck.Name, agentCheck.Ok, agentCheck.Detail);
            hookCommands.AddRange(adapter.Installer.HookCommands(project.Root));
        }
        if (hookCommands.Count > 0) { var speed = AgentDoctor.HookSpeed(hookCommands); Check(speed.Name, speed.Ok, speed.Detail); }
        var mcpPath = ClaudeCodePaths.UserState();
        if (SafeRegisteredCommand(mcpPath) is { } mcp) CheckMcpSpeed(Check, mcp);
        var readyToRun = CompiledForm.IsReadyToRun();
        Check("engram speed", readyToRun, readyToRun
            ? "ReadyToRun (compiled for this machine)"
            : "slow path: engram is plain IL, compiled by the JIT at every start (about 40% more CPU per command); install with install.sh (see README, Install)");
        var front = CommandFront.Check();
        Check("command speed", front.Ok, front.Detail);
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

    private static string? SafeRegisteredCommand(string path)
    {
        try
        {
            return McpServersFile.RegisteredCommand(path);
        }
        catch (EngramException)
        {
            return null;
        }
    }

    /// <summary>Warns when the agent's MCP server starts .NET before it can answer initialize, or names an engram-mcp that is not there.</summary>
    private static void CheckMcpSpeed(Action<string, bool, string> check, string command)
    {
        if (McpServersFile.IsHttpServer(command))
        {
            check("mcp speed", true, $"over HTTP to engram serve at {command} (no process; the tools answer while engram serve runs)");
            return;
        }
        if (!McpServersFile.IsNativeServer(command))
        {
            check("mcp speed", false, "slow path: 'engram mcp' starts .NET before it answers the agent's initialize (about 200 ms); " +
                (Beside(McpServersFile.NativeServerName) is not null
                    ? "run 'engram install' again to use the native engram-mcp"
                    : "install with install.sh (see README, Install) and run 'engram install' again"));
            return;
        }
        var path = Path.IsPathRooted(command) ? command : null;
        var exists = path is null || File.Exists(path);
        check("mcp speed", exists, exists ? "native engram-mcp (initialize answered without starting .NET)" : $"the MCP server is {path}, which does not exist: run 'engram install' again");
    }
}
