namespace Engram.Agents.Codex;

/// <summary>
/// Reads Codex's <c>apply_patch</c> format (<c>*** Begin Patch</c>, <c>*** Update File: PATH</c> /
/// <c>*** Add File: PATH</c>, lines prefixed <c>-</c>/<c>+</c>/space, <c>*** End Patch</c>) into the first
/// file's removed and added lines.
/// </summary>
internal static class ApplyPatch
{
    public sealed record Change(string File, string Removed, string Added, int Files);

    public static Change? Read(string patch)
    {
        string? file = null;
        var files = 0;
        var removed = new List<string>();
        var added = new List<string>();
        foreach (var raw in patch.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("*** ", StringComparison.Ordinal))
            {
                var path = FileHeader(line);
                if (path is null) continue;
                files++;
                file ??= path;
                continue;
            }
            if (files != 1) continue; // only the first file's lines
            if (line.StartsWith('-')) removed.Add(line[1..]);
            else if (line.StartsWith('+')) added.Add(line[1..]);
        }
        return file is null ? null : new Change(file, string.Join('\n', removed), string.Join('\n', added), files);
    }

    private static string? FileHeader(string line)
    {
        foreach (var prefix in new[] { "*** Update File: ", "*** Add File: ", "*** Delete File: " })
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal)) return line[prefix.Length..].Trim();
        }
        return null;
    }
}
