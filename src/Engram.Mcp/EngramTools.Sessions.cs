using System.ComponentModel;
using System.Globalization;
using System.Text;
using Engram.Core;
using Engram.Core.Model;
using ModelContextProtocol;
using ModelContextProtocol.Server;

namespace Engram.Mcp;

/// <summary>The tools over past sessions (chats): find them by topic, or list the recent ones.</summary>
internal sealed partial class EngramTools
{
    [McpServerTool(Name = "conversation_search", Title = "Search past conversations", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Find past sessions (chats) about a topic. Use when the user refers to an earlier conversation " +
        "(\"what did we decide about...\", \"continue where we left off on...\"). Returns <chat url=... updated_at=...> " +
        "elements with the matching snippets; the url names the session.")]
    public async Task<string> ConversationSearch(
        [Description("Words from the topic to look for.")] string query,
        [Description("Most sessions to return, 1-10. Default 5.")] int max_results = 5,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(query)) throw new McpException("query is empty; give a few words from the topic");
        if (max_results is < 1 or > 10) throw new McpException($"max_results {max_results} is out of range; use 1 to 10");
        var hits = await Call(() => memory.SearchAsync(new SearchRequest { Query = query, Filter = Filter(), Limit = 100 }, cancellationToken));
        var sessions = hits.Where(h => h.Memory.Scope.SessionId.Length > 0)
            .GroupBy(h => h.Memory.Scope.SessionId, StringComparer.Ordinal)
            .Take(max_results)
            .ToList();
        if (sessions.Count == 0) return $"No past conversation matches \"{Format.Query(query)}\".";

        var s = new StringBuilder();
        foreach (var session in sessions)
        {
            var latest = DateTimeOffset.MinValue;
            await foreach (var m in memory.ListAsync(Filter() with { SessionId = session.Key }, 1, cancellationToken))
            {
                latest = m.ValidFrom;
            }
            if (latest == DateTimeOffset.MinValue) latest = session.Max(h => h.Memory.ValidFrom);
            var first = session.First().Memory;
            s.Append(CultureInfo.InvariantCulture,
                $"<chat url=\"{Format.Attribute(SessionDigest.UrlOf(session.Key))}\" updated_at=\"{Format.Iso(latest)}\"");
            if (first.Scope.Project.Length > 0) s.Append(CultureInfo.InvariantCulture, $" project=\"{Format.Attribute(first.Scope.Project)}\"");
            s.AppendLine(">");
            foreach (var hit in session.Take(3))
            {
                s.AppendLine(Format.ChatText($"[{hit.Memory.Id}] {Format.KindAndType(hit.Memory)}: {Format.Shorten(hit.Memory.Content, 300)}"));
            }
            s.AppendLine("</chat>");
        }
        return s.ToString().TrimEnd();
    }

    [McpServerTool(Name = "recent_chats", Title = "Recent conversations", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("List recent past sessions (chats), newest first by default, each as a <chat url=... updated_at=...> element " +
        "with its summary or first prompt. Use when the user asks what they worked on recently or to pick up a past session.")]
    public async Task<string> RecentChats(
        [Description("How many sessions, 1-20. Default 3.")] int n = 3,
        [Description("desc (newest first, default) or asc (oldest first).")] string sort_order = "desc",
        [Description("Only sessions with activity before this time (ISO date or time, UTC).")] string? before = null,
        [Description("Only sessions with activity from this time on (ISO date or time, UTC).")] string? after = null,
        CancellationToken cancellationToken = default)
    {
        if (n is < 1 or > 20) throw new McpException($"n {n} is out of range; use 1 to 20");
        var order = (sort_order ?? "desc").Trim().ToLowerInvariant();
        if (order is not ("asc" or "desc")) throw new McpException($"sort_order '{sort_order}' must be asc or desc");
        var filter = Filter() with { Until = Format.Date(before, "before"), Since = Format.Date(after, "after") };
        var sessions = await Call(() => memory.ListSessionsAsync(filter, n, order == "asc", cancellationToken));
        if (sessions.Count == 0) return "No past sessions in that window.";

        var s = new StringBuilder();
        foreach (var d in sessions)
        {
            s.Append(CultureInfo.InvariantCulture,
                $"<chat url=\"{Format.Attribute(d.Url)}\" updated_at=\"{Format.Iso(d.UpdatedAt)}\" started_at=\"{Format.Iso(d.StartedAt)}\" memories=\"{d.Memories}\"");
            if (d.Project.Length > 0) s.Append(CultureInfo.InvariantCulture, $" project=\"{Format.Attribute(d.Project)}\"");
            s.AppendLine(">");
            var headline = d.Headline.Title is { Length: > 0 } title ? $"{title}: {d.Headline.Content}" : d.Headline.Content;
            s.AppendLine(Format.ChatText($"{d.Headline.Kind.ToWire()}: {Format.Shorten(headline, 500)}"));
            s.AppendLine("</chat>");
        }
        return s.ToString().TrimEnd();
    }
}
