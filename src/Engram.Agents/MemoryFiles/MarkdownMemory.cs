using System.Text;
using System.Text.RegularExpressions;

namespace Engram.Agents.MemoryFiles;

/// <summary>
/// Splits an agent's Markdown memory file into memories: each list item (with its continuation lines) is
/// one, each paragraph outside a list is one, and the heading above it is kept as its section. Code
/// blocks stay with the item or paragraph they follow. Front matter and HTML comments are skipped.
/// </summary>
public static partial class MarkdownMemory
{
    public sealed record Item(string? Section, string Text);

    public static IReadOnlyList<Item> Items(string markdown)
    {
        var items = new List<Item>();
        string? section = null;
        var current = new StringBuilder();
        var inFence = false;
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var start = FrontMatterEnd(lines);
        void Flush()
        {
            var text = current.ToString().Trim();
            if (text.Length > 0) items.Add(new Item(section, text));
            current.Clear();
        }
        for (var i = start; i < lines.Length; i++)
        {
            var line = lines[i];
            var trimmed = line.Trim();
            if (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal))
            {
                inFence = !inFence;
                current.Append(line).Append('\n');
                continue;
            }
            if (inFence)
            {
                current.Append(line).Append('\n');
                continue;
            }
            if (trimmed.StartsWith("<!--", StringComparison.Ordinal) && trimmed.EndsWith("-->", StringComparison.Ordinal)) continue;
            if (Heading().Match(line) is { Success: true } heading)
            {
                Flush();
                section = heading.Groups[1].Value.Trim();
                continue;
            }
            if (ListItem().Match(line) is { Success: true } bullet)
            {
                Flush();
                current.Append(bullet.Groups[1].Value).Append('\n');
                continue;
            }
            if (trimmed.Length == 0)
            {
                Flush();
                continue;
            }
            current.Append(current.Length > 0 ? trimmed : line.Trim()).Append('\n');
        }
        Flush();
        return items;
    }

    /// <summary>Files a Markdown index links to with relative links (<c>[debugging](debugging.md)</c>), inside <paramref name="folder"/> only.</summary>
    public static IEnumerable<string> LinkedFiles(string markdown, string folder)
    {
        var root = Path.GetFullPath(folder);
        foreach (Match link in Link().Matches(markdown))
        {
            var target = link.Groups[1].Value;
            if (target.Contains("://", StringComparison.Ordinal) || Path.IsPathRooted(target)) continue;
            var path = Path.GetFullPath(Path.Combine(root, Uri.UnescapeDataString(target.Split('#')[0])));
            if (path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal)) yield return path;
        }
    }

    private static int FrontMatterEnd(string[] lines)
    {
        if (lines.Length == 0 || lines[0].Trim() != "---") return 0;
        for (var i = 1; i < lines.Length; i++) if (lines[i].Trim() == "---") return i + 1;
        return 0;
    }

    [GeneratedRegex(@"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^\s{0,3}(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?(.*)$")]
    private static partial Regex ListItem();

    [GeneratedRegex(@"\[[^\]]*\]\(([^)\s]+\.md(?:#[^)\s]*)?)\)")]
    private static partial Regex Link();
}
