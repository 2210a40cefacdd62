namespace Engram.Agents.MemoryFiles;

/// <summary>
/// Finds the memory files coding agents keep for a project, read-only, where the agents themselves keep them
/// (checked against Claude Code 2.1.197, Codex CLI 0.171 and Gemini CLI 0.61):
/// <list type="bullet">
/// <item>Claude Code: auto memory <c>$CLAUDE_CONFIG_DIR|~/.claude/projects/&lt;sanitised git root&gt;/memory/MEMORY.md</c> (or the
/// <c>autoMemoryDirectory</c> setting) and the topic files it links; CLAUDE.md, .claude/CLAUDE.md, CLAUDE.local.md and
/// unconditional .claude/rules/*.md of the project, ~/.claude/CLAUDE.md and ~/.claude/rules, each with its <c>@path</c> imports.</item>
/// <item>Codex: <c>$CODEX_HOME|~/.codex/memories</c> (the consolidated memory_summary.md and MEMORY.md, and the user's ad hoc
/// notes), AGENTS.override.md or AGENTS.md of <c>$CODEX_HOME</c> and of the project.</item>
/// <item>Gemini CLI: the context files (GEMINI.md, or the names of the <c>context.fileName</c> setting) of the project and of
/// <c>$GEMINI_CLI_HOME|~/.gemini</c>, and the project's private memory <c>~/.gemini/tmp/&lt;project id&gt;/memory/MEMORY.md</c> with
/// the notes it links.</item>
/// <item>The project's AGENTS.md.</item>
/// </list>
/// </summary>
public static class AgentMemoryFiles
{
    /// <summary>The sources <c>engram import --from</c> accepts; <c>agents</c> means all of them.</summary>
    public static readonly string[] Sources = ["claude-code", "codex", "gemini", "agents-md", "agents"];

    /// <param name="environment">Reads an environment variable (CLAUDE_CONFIG_DIR, CODEX_HOME, GEMINI_CLI_HOME); the process's by default.</param>
    public static IReadOnlyList<MemoryFile> Find(string source, string projectRoot, string home, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var files = new List<MemoryFile>();
        var all = source == "agents";
        if (all || source == "claude-code") ClaudeCodeFiles.Add(files, projectRoot, home, environment("CLAUDE_CONFIG_DIR"));
        if (all || source == "codex") AddCodex(files, projectRoot, Blank(environment("CODEX_HOME")) ?? Path.Combine(home, ".codex"));
        if (all || source == "gemini") GeminiFiles.Add(files, projectRoot, Path.Combine(Blank(environment("GEMINI_CLI_HOME")) ?? home, ".gemini"));
        if (all || source is "agents-md" or "codex") Add(files, Path.Combine(projectRoot, "AGENTS.md"), "agents-md", true);
        return files;
    }

    /// <summary>
    /// Codex's memory pipeline writes raw_memories.md and rollout_summaries/ as material and consolidates them into
    /// memory_summary.md and MEMORY.md: only the consolidated files are imported (the material would repeat them), with
    /// the notes a user added by hand (extensions/ad_hoc/notes). An AGENTS.override.md is read instead of AGENTS.md.
    /// </summary>
    private static void AddCodex(List<MemoryFile> files, string projectRoot, string codexHome)
    {
        var memories = Path.Combine(codexHome, "memories");
        Add(files, Path.Combine(memories, "memory_summary.md"), "codex", false);
        Add(files, Path.Combine(memories, "MEMORY.md"), "codex", false);
        var notes = Path.Combine(memories, "extensions", "ad_hoc", "notes");
        if (Directory.Exists(notes))
        {
            foreach (var file in Directory.EnumerateFiles(notes, "*.md").Order(StringComparer.Ordinal)) Add(files, file, "codex", false);
        }
        AddFirst(files, "codex", false, Path.Combine(codexHome, "AGENTS.override.md"), Path.Combine(codexHome, "AGENTS.md"));
        if (File.Exists(Path.Combine(projectRoot, "AGENTS.override.md"))) Add(files, Path.Combine(projectRoot, "AGENTS.override.md"), "codex", true);
    }

    /// <summary>Claude Code names a project's folder after its git root with every character but a letter or digit made a dash (long ones cut, see <see cref="ClaudeCodeFiles"/>).</summary>
    public static string SanitizedRoot(string projectRoot) => ClaudeCodeFiles.Sanitize(Path.GetFullPath(projectRoot).TrimEnd('/', '\\'));

    internal static void Add(List<MemoryFile> files, string path, string agent, bool projectWide)
    {
        if (File.Exists(path) && files.TrueForAll(f => f.Path != path)) files.Add(new MemoryFile(path, agent, projectWide));
    }

    /// <summary>Adds the first of <paramref name="paths"/> that exists.</summary>
    internal static void AddFirst(List<MemoryFile> files, string agent, bool projectWide, params string[] paths)
    {
        if (paths.FirstOrDefault(File.Exists) is { } path) Add(files, path, agent, projectWide);
    }

    /// <summary>Imported files are memories only when they are text an agent reads as notes.</summary>
    internal static bool IsNote(string path) => NoteExtensions.Contains(Path.GetExtension(path));

    private static readonly HashSet<string> NoteExtensions = new(StringComparer.OrdinalIgnoreCase) { ".md", ".markdown", ".txt" };

    /// <summary>Whether <paramref name="path"/> (a full path) is <paramref name="folder"/> or lies under it.</summary>
    internal static bool Inside(string path, string folder)
    {
        var root = Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar);
        return path == root || path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    internal static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
