using Engram.Core.Model;
using Engram.Core.Services;

namespace Engram.Mcp;

/// <summary>One past session, as seen through the memories that carry its session id.</summary>
public sealed record SessionDigest
{
    public required string SessionId { get; init; }
    public string Project { get; init; } = "";
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public int Memories { get; init; }
    /// <summary>The session's summary, else its first prompt, else its first memory.</summary>
    public required Memory Headline { get; init; }

    /// <summary>The address a model can quote for the session.</summary>
    public string Url => SessionCatalog.Url(SessionId);
}

/// <summary>Groups memories into sessions (by session id) for recent_chats, conversation_search and GET /sessions.</summary>
public static class SessionCatalog
{
    /// <summary>How many memories are read at most to build a session list.</summary>
    public const int ScanLimit = 5_000;

    public static string Url(string sessionId) => "engram://session/" + Uri.EscapeDataString(sessionId);

    /// <summary>Sessions with a memory in the filter's window, most recently updated first (or oldest first).</summary>
    public static async Task<IReadOnlyList<SessionDigest>> ListAsync(
        IMemoryService memory, MemoryFilter filter, int count, bool oldestFirst, CancellationToken cancellationToken)
    {
        var groups = new Dictionary<string, List<Memory>>(StringComparer.Ordinal);
        await foreach (var m in memory.ListAsync(filter, ScanLimit, cancellationToken))
        {
            if (m.Scope.SessionId.Length == 0) continue;
            if (!groups.TryGetValue(m.Scope.SessionId, out var list)) groups[m.Scope.SessionId] = list = [];
            list.Add(m);
        }
        var digests = groups.Select(g => Digest(g.Key, g.Value));
        digests = oldestFirst
            ? digests.OrderBy(d => d.StartedAt).ThenBy(d => d.SessionId, StringComparer.Ordinal)
            : digests.OrderByDescending(d => d.UpdatedAt).ThenBy(d => d.SessionId, StringComparer.Ordinal);
        return digests.Take(count).ToList();
    }

    internal static SessionDigest Digest(string sessionId, IReadOnlyCollection<Memory> memories)
    {
        var ordered = memories.OrderBy(m => m.ValidFrom).ThenBy(m => m.Id, StringComparer.Ordinal).ToList();
        var headline = ordered.LastOrDefault(m => m.Kind == MemoryKind.Summary)
            ?? ordered.FirstOrDefault(m => m.Kind == MemoryKind.Prompt)
            ?? ordered[0];
        return new SessionDigest
        {
            SessionId = sessionId,
            Project = ordered[^1].Scope.Project,
            StartedAt = ordered[0].ValidFrom,
            UpdatedAt = ordered.Max(m => m.UpdatedAt > m.ValidFrom ? m.UpdatedAt : m.ValidFrom),
            Memories = ordered.Count,
            Headline = headline,
        };
    }
}
