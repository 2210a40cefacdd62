using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Engram.Agents.MemoryFiles;

/// <summary>
/// Gemini CLI's memory files, as Gemini CLI 0.61 keeps them: its context files (GEMINI.md, plus any names the
/// <c>context.fileName</c> setting adds) in the project and in <c>~/.gemini</c>, where older versions' save_memory
/// appended facts under "## Gemini Added Memories"; and the project's private memory, an index MEMORY.md with
/// sibling notes in <c>~/.gemini/tmp/&lt;project id&gt;/memory</c>, the id being the one <c>~/.gemini/projects.json</c>
/// gives the folder Gemini was started in (a folder of this project). A context file's <c>@path</c> imports are
/// followed as Gemini's import processor follows them.
/// </summary>
internal static partial class GeminiFiles
{
    private const string DefaultName = "GEMINI.md";

    /// <summary>Gemini reads a context file at depth 0 and follows imports while the depth stays below five.</summary>
    private const int MaxDepth = 5;

    public static void Add(List<MemoryFile> files, string projectRoot, string geminiDir)
    {
        var names = ContextFileNames(geminiDir, projectRoot);
        foreach (var name in names) AddWithImports(files, Path.Combine(projectRoot, name), true);
        foreach (var name in names) AddWithImports(files, Path.Combine(geminiDir, name), false);
        foreach (var folder in PrivateMemoryFolders(geminiDir, projectRoot))
        {
            var index = Path.Combine(folder, "MEMORY.md");
            if (File.Exists(index))
            {
                AgentMemoryFiles.Add(files, index, "gemini", true);
                foreach (var note in MarkdownMemory.LinkedFiles(File.ReadAllText(index), folder)) AgentMemoryFiles.Add(files, note, "gemini", true);
            }
            else
            {
                // Before MEMORY.md, the private memory was a context file of the usual name in that folder.
                foreach (var name in names) AgentMemoryFiles.Add(files, Path.Combine(folder, name), "gemini", true);
            }
        }
    }

    /// <summary>
    /// A context file and what it imports, depth first. Gemini lets a file import only from inside the root of the
    /// context file it started from: the nearest folder above it holding <c>.git</c>, else that file's own folder.
    /// </summary>
    private static void AddWithImports(List<MemoryFile> files, string path, bool projectWide, string? root = null, int depth = 0)
    {
        if (depth >= MaxDepth || !File.Exists(path) || files.Exists(f => f.Path == path)) return;
        AgentMemoryFiles.Add(files, path, "gemini", projectWide);
        var folder = Path.GetDirectoryName(path)!;
        root ??= ImportRoot(folder);
        foreach (var imported in Imports(File.ReadAllText(path), folder))
        {
            // Gemini reads any imported file as text; only notes are memories here.
            if (AgentMemoryFiles.IsNote(imported) && AgentMemoryFiles.Inside(imported, root)) AddWithImports(files, imported, projectWide, root, depth + 1);
        }
    }

    private static string ImportRoot(string folder)
    {
        for (var current = folder; current is not null; current = Path.GetDirectoryName(current))
        {
            var marker = Path.Combine(current, ".git");
            if (Directory.Exists(marker) || File.Exists(marker)) return current;
        }
        return folder;
    }

    /// <summary>
    /// The files a Gemini context file imports: <c>@path</c> at the start or after white space, the path running to
    /// the next white space and starting with a dot, a slash or an ASCII letter, outside backtick code (any run of
    /// backticks up to the same run); relative to the importing file's folder. URLs are not imports.
    /// </summary>
    internal static IEnumerable<string> Imports(string markdown, string folder)
    {
        var code = CodeRegion().Matches(markdown).Select(m => (Start: m.Index, End: m.Index + m.Length)).ToList();
        foreach (Match match in Import().Matches(markdown))
        {
            var at = match.Index + match.Value.IndexOf('@', StringComparison.Ordinal);
            var target = match.Groups[1].Value;
            if (code.Exists(r => at >= r.Start && at < r.End) || Url().IsMatch(target)) continue;
            yield return Path.GetFullPath(Path.Combine(folder, target));
        }
    }

    [GeneratedRegex(@"(?:^|[ \t\r\n])@([./A-Za-z][^ \t\r\n]*)")]
    private static partial Regex Import();

    [GeneratedRegex(@"(`+)[\s\S]*?\1")]
    private static partial Regex CodeRegion();

    [GeneratedRegex(@"^(file|https?)://")]
    private static partial Regex Url();

    /// <summary>The configured context file names (user settings, then the project's), with GEMINI.md, which Gemini keeps beside them.</summary>
    internal static IReadOnlyList<string> ContextFileNames(string geminiDir, string projectRoot)
    {
        var names = new List<string>();
        foreach (var settings in new[] { Path.Combine(projectRoot, ".gemini", "settings.json"), Path.Combine(geminiDir, "settings.json") })
        {
            foreach (var name in FileNameSetting(settings))
            {
                // Only plain names: a path would reach outside the folders this import reads.
                if (name.Length > 0 && Path.GetFileName(name) == name && !names.Contains(name)) names.Add(name);
            }
        }
        if (!names.Contains(DefaultName)) names.Add(DefaultName);
        return names;
    }

    /// <summary>
    /// The private memory folders of the project: for each folder of the project that <c>projects.json</c> knows (by
    /// the id it gave, checked against the id folder's <c>.project_root</c> when present), and the id older versions
    /// used (the SHA-256 of the path).
    /// </summary>
    private static IEnumerable<string> PrivateMemoryFolders(string geminiDir, string projectRoot)
    {
        var root = Path.GetFullPath(projectRoot).TrimEnd(Path.DirectorySeparatorChar);
        var temp = Path.Combine(geminiDir, "tmp");
        var ids = new List<string>();
        foreach (var (path, id) in Registry(Path.Combine(geminiDir, "projects.json")))
        {
            if (!AgentMemoryFiles.Inside(path, root) || id.Length == 0 || Path.GetFileName(id) != id) continue;
            var marker = Path.Combine(temp, id, ".project_root");
            if (File.Exists(marker) && File.ReadAllText(marker).Trim() != path) continue; // the id now belongs to another folder
            ids.Add(id);
        }
        ids.Add(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(root))));
        return ids.Distinct(StringComparer.Ordinal).Select(id => Path.Combine(temp, id, "memory")).Where(Directory.Exists);
    }

    /// <summary>projects.json: <c>{"projects": {"/abs/folder": "id"}}</c>; unreadable means none.</summary>
    private static List<(string Path, string Id)> Registry(string file)
    {
        var entries = new List<(string Path, string Id)>();
        var document = Read(file);
        if (document is null) return entries;
        using (document)
        {
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("projects", out var projects)
                && projects.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in projects.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.String) entries.Add((p.Name.TrimEnd(Path.DirectorySeparatorChar), p.Value.GetString()!));
                }
            }
        }
        return entries;
    }

    /// <summary><c>context.fileName</c>: a name or a list of names.</summary>
    private static List<string> FileNameSetting(string file)
    {
        var names = new List<string>();
        using var document = Read(file);
        if (document?.RootElement is { ValueKind: JsonValueKind.Object } settings && settings.TryGetProperty("context", out var context)
            && context.ValueKind == JsonValueKind.Object && context.TryGetProperty("fileName", out var fileName))
        {
            if (fileName.ValueKind == JsonValueKind.String) names.Add(fileName.GetString()!.Trim());
            else if (fileName.ValueKind == JsonValueKind.Array) names.AddRange(fileName.EnumerateArray().Where(n => n.ValueKind == JsonValueKind.String).Select(n => n.GetString()!.Trim()));
        }
        return names;
    }

    private static JsonDocument? Read(string file)
    {
        try
        {
            return File.Exists(file) ? JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return null; // a settings or registry file Gemini itself could not read names nothing
        }
    }
}
