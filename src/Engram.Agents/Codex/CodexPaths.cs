namespace Engram.Agents.Codex;

/// <summary>Where Codex keeps its configuration: <c>$CODEX_HOME</c>, else <c>~/.codex</c>.</summary>
public static class CodexPaths
{
    public static string Home()
    {
        var custom = Environment.GetEnvironmentVariable("CODEX_HOME");
        return !string.IsNullOrWhiteSpace(custom)
            ? Path.GetFullPath(custom)
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".codex");
    }

    public static string UserHooks() => Path.Combine(Home(), "hooks.json");

    public static string ProjectHooks(string projectRoot) => Path.Combine(Path.GetFullPath(projectRoot), ".codex", "hooks.json");

    /// <summary>The user's config.toml: MCP servers and the trust Codex keeps for each hook.</summary>
    public static string Config() => Path.Combine(Home(), "config.toml");
}
