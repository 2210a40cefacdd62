using Engram.Core.Model;

namespace Engram.Core.Search;

/// <summary>The text every store indexes beside title and content, so all stores rank alike.</summary>
public static class IndexText
{
    /// <summary>Facts, concepts, file paths (whole and split into their parts) and the observation type.</summary>
    public static string? Extra(Memory memory)
    {
        var parts = new List<string>();
        if (memory.Type is { Length: > 0 } type) parts.Add(type);
        parts.AddRange(memory.Facts);
        parts.AddRange(memory.Concepts);
        foreach (var file in memory.FilesRead.Concat(memory.FilesModified).Distinct(StringComparer.Ordinal))
        {
            // "src/Auth/TokenStore.cs" is found by "TokenStore", "auth" or the whole path.
            parts.Add(file.Replace('/', ' ').Replace('\\', ' ').Replace('.', ' ').Replace('_', ' ').Replace('-', ' '));
        }
        return parts.Count == 0 ? null : string.Join('\n', parts);
    }
}
