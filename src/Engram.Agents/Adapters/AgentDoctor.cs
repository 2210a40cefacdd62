using Engram.Core;

namespace Engram.Agents.Adapters;

/// <summary>The checks <c>engram doctor</c> makes for every agent, phrased the same way for each.</summary>
public static class AgentDoctor
{
    /// <summary>Which of the expected events have an Engram hook, per file.</summary>
    public static AgentCheck Hooks(string agent, IReadOnlyList<string> files, Func<string, IReadOnlyList<(string EventName, string Command)>> installed, IReadOnlyList<string> expected)
    {
        // The user's and the project's file are one when the project is the home folder: listed once.
        var found = files.Distinct(StringComparer.Ordinal)
            .Select(f => (File: f, Events: Safe(() => installed(f)).Select(c => c.EventName).Distinct().ToList())).Where(f => f.Events.Count > 0).ToList();
        if (found.Count == 0) return new AgentCheck($"{agent.ToLowerInvariant()} hooks", false, "not installed (run: engram install)");
        var missing = expected.Except(found.SelectMany(f => f.Events)).ToList();
        var detail = string.Join("; ", found.Select(f => $"{f.File}: {string.Join(", ", f.Events)}"));
        return new AgentCheck($"{agent.ToLowerInvariant()} hooks", missing.Count == 0,
            missing.Count == 0 ? detail : $"{detail}; missing {string.Join(", ", missing)} (run: engram install)");
    }

    /// <summary>Whether the MCP server is registered in a file with an <c>mcpServers</c> object, and there.</summary>
    public static AgentCheck Mcp(string agent, string path) => Mcp(agent, path, Safe(() => McpServersFile.RegisteredCommand(path), null));

    /// <summary>Whether <paramref name="command"/> (null: none) is registered in <paramref name="path"/>, and there when it is the native engram-mcp.</summary>
    public static AgentCheck Mcp(string agent, string path, string? command)
    {
        var name = $"{agent.ToLowerInvariant()} mcp";
        if (command is null) return new AgentCheck(name, false, $"not registered in {path} (run: engram install)");
        // A native server named by a path that is gone (an install moved or removed): the agent cannot start it.
        if (McpServersFile.IsNativeServer(command) && Path.IsPathRooted(command) && !File.Exists(command))
        {
            return new AgentCheck(name, false, $"engram registered in {path}, but its MCP server {command} does not exist (run: engram install)");
        }
        return new AgentCheck(name, true, $"engram registered in {path}");
    }

    /// <summary>Warns when hooks start .NET on every event, or name a native hook that is not there.</summary>
    public static AgentCheck HookSpeed(IReadOnlyList<string> commands)
    {
        commands = commands.Where(c => !c.StartsWith("http", StringComparison.Ordinal)).ToList();
        if (commands.Any(IsManaged))
        {
            var beside = File.Exists(Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "engram-hook.exe" : "engram-hook"));
            return new AgentCheck("hook speed", false, "slow path: hooks run the managed 'engram hook' (about 100-200 ms of .NET start-up per event); " +
                (beside ? "run 'engram install' again to use the native engram-hook" : "install the native hook (see README, Install) and run 'engram install' again"));
        }
        var missing = commands.Select(NativeExecutable).Where(p => p is not null && !File.Exists(p)).Distinct().ToList();
        return new AgentCheck("hook speed", missing.Count == 0, missing.Count == 0
            ? "native engram-hook or HTTP hooks (no .NET start per event)"
            : $"the hooks run {string.Join(", ", missing)}, which does not exist: run 'engram install' again");
    }

    /// <summary>A hook command that starts .NET: <c>engram hook AGENT EVENT</c> rather than the native <c>engram-hook AGENT EVENT</c>.</summary>
    public static bool IsManaged(string command) =>
        command.Contains(" hook ", StringComparison.Ordinal) && !command.Contains("engram-hook", StringComparison.Ordinal);

    /// <summary>The executable of a hook command (its first word, unquoted), when it is a path.</summary>
    internal static string? NativeExecutable(string command)
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

    /// <summary>The answer, or <paramref name="fallback"/> when a file cannot be read (doctor reports, it does not fail).</summary>
    public static T Safe<T>(Func<T> read, T fallback)
    {
        try
        {
            return read();
        }
        catch (EngramException)
        {
            return fallback;
        }
    }

    /// <summary>The Engram hooks of a file, or none when it cannot be read.</summary>
    public static IReadOnlyList<(string EventName, string Command)> Safe(Func<IReadOnlyList<(string EventName, string Command)>> read) => Safe(read, []);
}
