namespace Engram.Agents.ClaudeCode;

/// <summary>Where Claude Code keeps its configuration.</summary>
public static class ClaudeCodePaths
{
    /// <summary>
    /// Claude Code's configuration folder: <c>$CLAUDE_CONFIG_DIR</c> when set, else <c>~/.claude</c>.
    /// </summary>
    public static string ConfigDirectory(string? homeDirectory = null)
    {
        var custom = Environment.GetEnvironmentVariable("CLAUDE_CONFIG_DIR");
        if (homeDirectory is null && !string.IsNullOrWhiteSpace(custom)) return Path.GetFullPath(custom);
        return Path.Combine(homeDirectory ?? Home(), ".claude");
    }

    /// <summary>User-scope settings: <c>~/.claude/settings.json</c>.</summary>
    public static string UserSettings(string? homeDirectory = null) => Path.Combine(ConfigDirectory(homeDirectory), "settings.json");

    /// <summary>Project-scope settings, shared through the repository: <c>&lt;project&gt;/.claude/settings.json</c>.</summary>
    public static string ProjectSettings(string projectDirectory) => Path.Combine(Path.GetFullPath(projectDirectory), ".claude", "settings.json");

    /// <summary>
    /// Claude Code's own state file, which holds user-scope MCP servers: <c>~/.claude.json</c>
    /// (inside <c>$CLAUDE_CONFIG_DIR</c> when that is set).
    /// </summary>
    public static string UserState(string? homeDirectory = null)
    {
        var custom = Environment.GetEnvironmentVariable("CLAUDE_CONFIG_DIR");
        if (homeDirectory is null && !string.IsNullOrWhiteSpace(custom)) return Path.Combine(Path.GetFullPath(custom), ".claude.json");
        return Path.Combine(homeDirectory ?? Home(), ".claude.json");
    }

    private static string Home() => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
}
