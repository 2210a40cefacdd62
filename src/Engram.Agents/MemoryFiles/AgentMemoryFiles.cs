namespace Engram.Agents.MemoryFiles;

/// <summary>
/// Finds the memory files coding agents keep for a project, read-only: Claude Code's auto memory
/// (<c>~/.claude/projects/&lt;sanitised git root&gt;/memory/MEMORY.md</c> and the topic files it links) and its
/// CLAUDE.md files (project and <c>~/.claude</c>), Codex's <c>~/.codex/memories</c> and AGENTS.md files, Gemini
/// CLI's GEMINI.md and MEMORY.md (project and <c>~/.gemini</c>), and the project's AGENTS.md.
/// </summary>
public static class AgentMemoryFiles
{
    /// <summary>The sources <c>engram import --from</c> accepts; <c>agents</c> means all of them.</summary>
    public static readonly string[] Sources = ["claude-code", "codex", "gemini", "agents-md", "agents"];

    public static IReadOnlyList<MemoryFile> Find(string source, string projectRoot, string home)
    {
        var files = new List<MemoryFile>();
        var all = source == "agents";
        if (all || source == "claude-code")
        {
            var memory = Path.Combine(home, ".claude", "projects", SanitizedRoot(projectRoot), "memory");
            var index = Path.Combine(memory, "MEMORY.md");
            Add(files, index, "claude-code", true);
            if (File.Exists(index)) foreach (var linked in MarkdownMemory.LinkedFiles(File.ReadAllText(index), memory)) Add(files, linked, "claude-code", true);
            Add(files, Path.Combine(projectRoot, "CLAUDE.md"), "claude-code", true);
            Add(files, Path.Combine(projectRoot, ".claude", "CLAUDE.md"), "claude-code", true);
            Add(files, Path.Combine(home, ".claude", "CLAUDE.md"), "claude-code", false);
        }
        if (all || source == "codex")
        {
            var memories = Path.Combine(home, ".codex", "memories");
            if (Directory.Exists(memories))
            {
                foreach (var file in Directory.EnumerateFiles(memories, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal)) Add(files, file, "codex", false);
            }
            Add(files, Path.Combine(home, ".codex", "AGENTS.md"), "codex", false);
        }
        if (all || source == "gemini")
        {
            Add(files, Path.Combine(projectRoot, "GEMINI.md"), "gemini", true);
            Add(files, Path.Combine(home, ".gemini", "GEMINI.md"), "gemini", false);
            Add(files, Path.Combine(home, ".gemini", "MEMORY.md"), "gemini", false);
        }
        if (all || source is "agents-md" or "codex") Add(files, Path.Combine(projectRoot, "AGENTS.md"), "agents-md", true);
        return files;
    }

    /// <summary>Claude Code names a project's folder after its git root with every other character than a letter or digit made a dash.</summary>
    public static string SanitizedRoot(string projectRoot) =>
        string.Concat(Path.GetFullPath(projectRoot).TrimEnd('/', '\\').Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-'));

    private static void Add(List<MemoryFile> files, string path, string agent, bool projectWide)
    {
        if (File.Exists(path) && files.TrueForAll(f => f.Path != path)) files.Add(new MemoryFile(path, agent, projectWide));
    }
}
