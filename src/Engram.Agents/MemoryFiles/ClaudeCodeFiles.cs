using System.Text.Json;
using System.Text.RegularExpressions;

namespace Engram.Agents.MemoryFiles;

/// <summary>
/// Claude Code's memory files, found as Claude Code 2.1.197 finds them: the auto memory folder of the project, the
/// project's and the user's CLAUDE.md files and rules, and the files those import with <c>@path</c>.
/// </summary>
internal static partial class ClaudeCodeFiles
{
    /// <summary>Claude Code reads a CLAUDE.md at depth 0 and follows imports while the depth stays below five.</summary>
    private const int MaxDepth = 5;

    /// <summary>A project folder name is cut here and given a hash of the whole path, so long paths stay distinct.</summary>
    private const int MaxFolderName = 200;

    public static void Add(List<MemoryFile> files, string projectRoot, string home, string? configDirVariable)
    {
        var config = AgentMemoryFiles.Blank(configDirVariable) ?? Path.Combine(home, ".claude");
        var memory = AutoMemoryFolder(projectRoot, home, config);
        var index = Path.Combine(memory, "MEMORY.md");
        AgentMemoryFiles.Add(files, index, "claude-code", true);
        if (File.Exists(index)) foreach (var linked in MarkdownMemory.LinkedFiles(File.ReadAllText(index), memory)) AgentMemoryFiles.Add(files, linked, "claude-code", true);

        // An import from outside the project needs the user's approval in Claude Code: a project file's are not followed there.
        foreach (var name in new[] { "CLAUDE.md", Path.Combine(".claude", "CLAUDE.md"), "CLAUDE.local.md" })
        {
            AddWithImports(files, Path.Combine(projectRoot, name), true, projectRoot, home, 0);
        }
        foreach (var rule in Rules(Path.Combine(projectRoot, ".claude", "rules"))) AddWithImports(files, rule, true, projectRoot, home, 0);
        AddWithImports(files, Path.Combine(config, "CLAUDE.md"), false, null, home, 0);
        foreach (var rule in Rules(Path.Combine(config, "rules"))) AddWithImports(files, rule, false, null, home, 0);
    }

    /// <summary>
    /// The <c>autoMemoryDirectory</c> setting (local project settings, then user settings; the checked-in project settings
    /// may not move it), else <c>&lt;config&gt;/projects/&lt;sanitised root&gt;/memory</c>.
    /// </summary>
    internal static string AutoMemoryFolder(string projectRoot, string home, string config)
    {
        foreach (var settings in new[] { Path.Combine(projectRoot, ".claude", "settings.local.json"), Path.Combine(config, "settings.json") })
        {
            if (Setting(settings, "autoMemoryDirectory") is not { } folder) continue;
            if (folder.StartsWith("~/", StringComparison.Ordinal)) folder = Path.Combine(home, folder[2..]);
            if (Path.IsPathRooted(folder)) return Path.GetFullPath(folder);
        }
        return Path.Combine(config, "projects", AgentMemoryFiles.SanitizedRoot(projectRoot), "memory");
    }

    /// <summary>Every character but an ASCII letter or digit becomes a dash; past 200 characters the name is cut and the path's hash added.</summary>
    internal static string Sanitize(string path)
    {
        var name = string.Concat(path.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-'));
        return name.Length <= MaxFolderName ? name : $"{name[..MaxFolderName]}-{Base36(Math.Abs((long)StringHash(path)))}";
    }

    /// <summary>The 31-multiplier string hash over UTF-16 units, wrapping at 32 bits (as Claude Code computes it).</summary>
    private static int StringHash(string text)
    {
        var hash = 0;
        foreach (var c in text) hash = unchecked((hash << 5) - hash + c);
        return hash;
    }

    private static string Base36(long value)
    {
        if (value == 0) return "0";
        var digits = new Stack<char>();
        for (; value > 0; value /= 36) digits.Push("0123456789abcdefghijklmnopqrstuvwxyz"[(int)(value % 36)]);
        return new string(digits.ToArray());
    }

    private static void AddWithImports(List<MemoryFile> files, string path, bool projectWide, string? bound, string home, int depth)
    {
        if (depth >= MaxDepth || !File.Exists(path) || files.Exists(f => f.Path == path)) return;
        AgentMemoryFiles.Add(files, path, "claude-code", projectWide);
        foreach (var imported in Imports(File.ReadAllText(path), Path.GetDirectoryName(path)!, home))
        {
            if (!AgentMemoryFiles.IsNote(imported)) continue;
            if (bound is not null && !AgentMemoryFiles.Inside(imported, bound)) continue;
            AddWithImports(files, imported, projectWide, bound, home, depth + 1);
        }
    }

    /// <summary>
    /// The files a CLAUDE.md imports: <c>@path</c> after a space or at a line's start, outside code blocks and code spans
    /// (HTML comments removed first); <c>\ </c> is a space, <c>#anchor</c> is dropped; relative to the importing file,
    /// <c>~/</c> to the home folder.
    /// </summary>
    internal static IEnumerable<string> Imports(string markdown, string folder, string home)
    {
        var prose = CodeSpan().Replace(Comment().Replace(WithoutFences(markdown), ""), " ");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in Import().Matches(prose))
        {
            var target = match.Groups[1].Value;
            var hash = target.IndexOf('#', StringComparison.Ordinal);
            if (hash >= 0) target = target[..hash];
            target = target.Replace("\\ ", " ", StringComparison.Ordinal);
            if (!LooksLikePath(target)) continue;
            var path = target.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, target[2..])
                : Path.IsPathRooted(target) ? target : Path.Combine(folder, target);
            path = Path.GetFullPath(path);
            if (seen.Add(path)) yield return path;
        }
    }

    private static bool LooksLikePath(string target) =>
        target.StartsWith("./", StringComparison.Ordinal) || target.StartsWith("~/", StringComparison.Ordinal)
        || (target.StartsWith('/') && target != "/")
        || (target.Length > 0 && (char.IsAsciiLetterOrDigit(target[0]) || target[0] is '.' or '_' or '-'));

    private static string WithoutFences(string markdown)
    {
        var kept = new List<string>();
        var inFence = false;
        foreach (var line in markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var trimmed = line.TrimStart();
            if (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal)) inFence = !inFence;
            else if (!inFence) kept.Add(line);
        }
        return string.Join('\n', kept);
    }

    /// <summary>Rule files of a rules folder (and its subfolders) that always load: a rule with <c>paths:</c> in its front matter loads only for matching files.</summary>
    private static IEnumerable<string> Rules(string folder)
    {
        if (!Directory.Exists(folder)) return [];
        return Directory.EnumerateFiles(folder, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Where(f => !Conditional(File.ReadAllText(f)));
    }

    private static bool Conditional(string markdown)
    {
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (lines.Length == 0 || lines[0].Trim() != "---") return false;
        for (var i = 1; i < lines.Length && lines[i].Trim() != "---"; i++)
        {
            if (lines[i].StartsWith("paths:", StringComparison.Ordinal)) return lines[i][6..].Trim().Trim('"', '\'', '[', ']') != "**";
        }
        return false;
    }

    private static string? Setting(string settingsFile, string key)
    {
        try
        {
            if (!File.Exists(settingsFile)) return null;
            using var document = JsonDocument.Parse(File.ReadAllText(settingsFile));
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(key, out var value)
                && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return null; // a settings file Claude Code itself could not read moves nothing
        }
    }

    [GeneratedRegex(@"(?:^|\s)@((?:[^\s\\]|\\ )+)", RegexOptions.Multiline)]
    private static partial Regex Import();

    [GeneratedRegex(@"<!--[\s\S]*?-->")]
    private static partial Regex Comment();

    [GeneratedRegex(@"`[^`\n]*`")]
    private static partial Regex CodeSpan();
}
