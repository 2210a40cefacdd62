using Engram.Core.Model;
using Engram.Core.Services;

namespace Engram.Agents.Pipeline;

/// <summary>
/// The file states an observation records: each file it read or changed, hashed by the worker as the
/// file is when the event is processed (the hook itself never reads files). A Write hashes the content
/// the agent sent; a Read with an offset, or an Edit whose new text is found in the file, records the
/// lines it concerned.
/// </summary>
internal static class FileStateCapture
{
    private const int MaxFiles = 8;

    public static IReadOnlyList<FileState> Of(ToolEvent tool, ObservationDraft draft, string? projectRoot, string? cwd)
    {
        var toolPath = Absolute(tool.InputString("file_path") ?? tool.InputString("notebook_path"), projectRoot, cwd);
        var states = new List<FileState>();
        foreach (var file in draft.FilesModified.Concat(draft.FilesRead).Distinct(StringComparer.Ordinal).Take(MaxFiles))
        {
            if (Absolute(file, projectRoot, cwd) is not { } path) continue;
            var state = path == toolPath ? FromTool(tool, path) : FileFreshness.Capture(path);
            if (state is not null && states.TrueForAll(s => s.Path != state.Path)) states.Add(state);
        }
        return states;
    }

    private static FileState? FromTool(ToolEvent tool, string path)
    {
        if (tool.ToolName == "Write" && tool.InputString("content") is { } content) return FileFreshness.FromContent(path, content);
        var state = FileFreshness.Capture(path);
        if (state is null) return null;
        var (start, end) = tool.ToolName switch
        {
            "Read" => ReadSpan(tool),
            "Edit" => EditSpan(path, tool.InputString("new_string")),
            _ => (null, null),
        };
        return state with { StartLine = start, EndLine = end };
    }

    private static (int?, int?) ReadSpan(ToolEvent tool)
    {
        if (!int.TryParse(tool.InputString("offset"), out var offset) || offset < 1) return (null, null);
        return int.TryParse(tool.InputString("limit"), out var limit) && limit > 0 ? (offset, offset + limit - 1) : (offset, null);
    }

    /// <summary>Where the edit's new text sits in the file now, in lines (1-based), when it is found once.</summary>
    private static (int?, int?) EditSpan(string path, string? newText)
    {
        if (string.IsNullOrEmpty(newText)) return (null, null);
        try
        {
            if (new FileInfo(path) is not { Exists: true, Length: <= FileFreshness.MaxHashedBytes }) return (null, null);
            var text = File.ReadAllText(path);
            var at = text.IndexOf(newText, StringComparison.Ordinal);
            if (at < 0 || text.IndexOf(newText, at + 1, StringComparison.Ordinal) >= 0) return (null, null);
            var start = 1 + text.AsSpan(0, at).Count('\n');
            return (start, start + newText.AsSpan().TrimEnd('\n').Count('\n'));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, null);
        }
    }

    internal static string? Absolute(string? path, string? projectRoot, string? cwd)
    {
        if (string.IsNullOrWhiteSpace(path)) return null;
        if (Path.IsPathRooted(path)) return Path.GetFullPath(path);
        var baseFolder = projectRoot ?? cwd;
        return baseFolder is { Length: > 0 } && Path.IsPathRooted(baseFolder) ? Path.GetFullPath(Path.Combine(baseFolder, path)) : null;
    }
}
