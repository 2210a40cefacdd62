using System.Globalization;
using System.Text;
using Engram.Core.Model;
using Engram.Core.Services;

namespace Engram.Mcp;

/// <summary>Text shapes the tools return: compact index lines, full records and chat snippets.</summary>
internal static class Format
{
    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Text on one line, cut to <paramref name="width"/> characters.</summary>
    public static string Shorten(string text, int width)
    {
        var oneLine = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return oneLine.Length <= width ? oneLine : string.Concat(oneLine.AsSpan(0, width - 1), "…");
    }

    /// <summary>A caller's query as a tool quotes it back: one line, cut to a length that never floods the answer.</summary>
    public static string Query(string query) => Shorten(query, 120);

    public static string KindAndType(Memory m) => m.Type is { Length: > 0 } type ? $"{m.Kind.ToWire()}/{type}" : m.Kind.ToWire();

    /// <summary>One hit of the index layer: id, time, kind, project, title and the start of the text, about 50-100 tokens.</summary>
    public static string IndexLine(Memory m)
    {
        var text = m.Title is { Length: > 0 } title ? $"{title}: {m.Content}" : m.Content;
        var project = m.Scope.Project.Length > 0 ? $" project={m.Scope.Project}" : "";
        var stale = new FileFreshness().Check(m) switch
        {
            Freshness.Changed => " [possibly stale: a file changed since]",
            Freshness.Gone => " [file gone]",
            _ => "",
        };
        var repeats = m.Occurrences > 1 ? $" x{m.Occurrences}" : "";
        return Safe($"[{m.Id}] {Time(m.ValidFrom)} {KindAndType(m)}{repeats}{project} | {Shorten(text, 220)}{stale} (~{Tokens.Estimate(Record(m))} tok)");
    }

    /// <summary>Every field a model can use, as plain labelled text.</summary>
    public static string Record(Memory m)
    {
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"[{m.Id}] {KindAndType(m)} at {Iso(m.ValidFrom)}");
        if (!m.IsCurrent) s.Append(CultureInfo.InvariantCulture, $" (superseded{(m.SupersededBy is null ? "" : " by " + m.SupersededBy)})");
        s.AppendLine();
        var scope = new List<string>();
        if (m.Scope.Project.Length > 0) scope.Add($"project={m.Scope.Project}");
        if (m.Scope.SessionId.Length > 0) scope.Add($"session={m.Scope.SessionId}");
        if (m.Scope.UserId.Length > 0) scope.Add($"user={m.Scope.UserId}");
        if (m.Scope.AgentId.Length > 0) scope.Add($"agent={m.Scope.AgentId}");
        if (scope.Count > 0) s.AppendLine(string.Join(' ', scope));
        if (m.Title is { Length: > 0 }) s.AppendLine(CultureInfo.InvariantCulture, $"title: {m.Title}");
        s.AppendLine(m.Content);
        foreach (var fact in m.Facts) s.AppendLine(CultureInfo.InvariantCulture, $"- {fact}");
        if (m.Concepts.Count > 0) s.AppendLine(CultureInfo.InvariantCulture, $"concepts: {string.Join(", ", m.Concepts)}");
        if (m.FilesRead.Count > 0) s.AppendLine(CultureInfo.InvariantCulture, $"files read: {string.Join(", ", m.FilesRead)}");
        if (m.FilesModified.Count > 0) s.AppendLine(CultureInfo.InvariantCulture, $"files modified: {string.Join(", ", m.FilesModified)}");
        if (m.Metadata.Count > 0) s.AppendLine(CultureInfo.InvariantCulture, $"metadata: {string.Join(", ", m.Metadata.Select(kv => $"{kv.Key}={kv.Value}"))}");
        if (m.Occurrences > 1) s.AppendLine(CultureInfo.InvariantCulture, $"seen {m.Occurrences} times (the latest shown)");
        if (m.ExpiresAt is { } expires) s.AppendLine(CultureInfo.InvariantCulture, $"expires: {Iso(expires)}");
        var freshness = new FileFreshness();
        foreach (var file in m.FileStates)
        {
            var lines = file.StartLine is { } start ? $" lines {start}-{file.EndLine ?? start}" : "";
            s.AppendLine(CultureInfo.InvariantCulture, $"file state: {file.Path}{lines}: {FileFreshness.Name(freshness.Check(file)).Replace('_', ' ')}");
        }
        return Safe(s.ToString().TrimEnd());
    }

    /// <summary>An XML attribute value: quotes, ampersands and angle brackets escaped.</summary>
    public static string Attribute(string value) => value
        .Replace("&", "&amp;", StringComparison.Ordinal)
        .Replace("\"", "&quot;", StringComparison.Ordinal)
        .Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>Text inside a chat element, unable to close it early or to open a forged one.</summary>
    public static string ChatText(string text) => Safe(text);

    /// <summary>
    /// Stored text as it may appear in a tool result: it is data, so nothing in it may read as markup
    /// (a closing wrapper, a system tag, a forged chat element), in any Unicode disguise.
    /// </summary>
    public static string Safe(string text) => Core.Privacy.UntrustedText.Neutralize(text);

    public static DateTimeOffset? Date(string? text, string parameter)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        return DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? date
            : throw new ModelContextProtocol.McpException($"{parameter} '{text}' is not a date; use an ISO date or time such as 2026-01-31 or 2026-01-31T14:00:00Z");
    }
}
