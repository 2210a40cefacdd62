using System.Globalization;
using System.Text;
using Engram.Core.Model;
using Engram.Core.Services;

namespace Engram.Agents.MemoryFiles;

/// <summary>
/// A project's standing memories as one Markdown file an agent can read without Engram: the user's
/// explicit memories, the project's facts and its decisions, newest first within each section, one list
/// item per memory with its id, so the file can be traced back.
/// </summary>
public static class MarkdownExport
{
    public static async Task<string> BuildAsync(IMemoryService memory, string tenant, string? projectKey, string title, DateTimeOffset exportedAt, CancellationToken cancellationToken = default)
    {
        var text = new StringBuilder();
        text.Append("# Engram memories: ").Append(OneLine(title)).Append("\n\n");
        text.Append("Exported from Engram on ").Append(exportedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .Append(". Editing this file does not change Engram; use `engram update` or the viewer.\n");

        var blocks = new List<Memory>();
        await foreach (var m in memory.ListAsync(new MemoryFilter { Tenant = tenant, Kinds = [MemoryKind.Block] }, 200, cancellationToken))
        {
            if (m.Scope.Project.Length == 0 || m.Scope.Project == projectKey) blocks.Add(m);
        }
        var project = new MemoryFilter { Tenant = tenant, Project = projectKey };
        var facts = await memory.ListAsync(project with { Kinds = [MemoryKind.Fact] }, 500, cancellationToken).ToListAsync(cancellationToken);
        var decisions = await memory.ListAsync(project with { Kinds = [MemoryKind.Observation] }, 500, cancellationToken)
            .Where(m => m.Type == "decision").Take(100).ToListAsync(cancellationToken);

        Section(text, "What the user asked to remember", blocks);
        Section(text, "Facts", facts);
        Section(text, "Decisions", decisions);
        return text.ToString();
    }

    private static void Section(StringBuilder text, string heading, List<Memory> memories)
    {
        if (memories.Count == 0) return;
        text.Append("\n## ").Append(heading).Append("\n\n");
        foreach (var m in memories)
        {
            text.Append("- ");
            if (m.Title is { Length: > 0 } title && !m.Content.StartsWith(title, StringComparison.Ordinal)) text.Append("**").Append(OneLine(title)).Append("**: ");
            text.Append(OneLine(m.Content));
            if (m.ExpiresAt is { } expires) text.Append(" (until ").Append(expires.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Append(')');
            text.Append(" <!-- engram:").Append(m.Id).Append(" -->\n");
        }
    }

    /// <summary>A memory on one list line: line breaks folded, and nothing that could open an HTML comment or tag.</summary>
    private static string OneLine(string value) =>
        string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Replace('<', '‹').Replace('>', '›');
}
