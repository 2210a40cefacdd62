namespace Engram.Core.Model;

/// <summary>One past session, as seen through the memories that carry its session id (within a filter).</summary>
public sealed record SessionDigest
{
    public required string SessionId { get; init; }
    /// <summary>The project of the session's latest memory.</summary>
    public string Project { get; init; } = "";
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public int Memories { get; init; }
    /// <summary>The session's latest summary, else its first prompt, else its first memory.</summary>
    public required Memory Headline { get; init; }

    /// <summary>The address a model can quote for the session.</summary>
    public string Url => UrlOf(SessionId);

    public static string UrlOf(string sessionId) => "engram://session/" + Uri.EscapeDataString(sessionId);

    /// <summary>
    /// How the stores pick a session's headline and project in SQL (alias m): the latest summary, else the first
    /// prompt, else the first memory; the project of the latest memory.
    /// </summary>
    public const string HeadlineOrder =
        "ORDER BY CASE m.kind WHEN 'summary' THEN 0 WHEN 'prompt' THEN 1 ELSE 2 END, " +
        "CASE WHEN m.kind = 'summary' THEN -m.valid_from ELSE m.valid_from END, m.id";

    /// <inheritdoc cref="HeadlineOrder"/>
    public const string LatestOrder = "ORDER BY m.valid_from DESC, m.id DESC";
}
