using System.Data.Common;
using Engram.Core.Model;

namespace Engram.Core.Storage;

/// <summary>One session as a store's grouped query counts it; times in Unix milliseconds.</summary>
public readonly record struct SessionGroup(string SessionId, int Memories, long StartedAt, long UpdatedAt);

/// <summary>Turns a store's session groups into digests, the same way for every store.</summary>
public static class SessionGroups
{
    /// <summary>
    /// The grouped query over the memories matching <paramref name="where"/> (alias m), with a <c>@count</c>
    /// parameter; <paramref name="greatest"/> is the dialect's two-argument maximum (MAX in SQLite, GREATEST in
    /// PostgreSQL). Grouped in SQL over the session index, so a list is right however many memories there are.
    /// </summary>
    public static string Sql(string where, bool oldestFirst, string greatest) =>
        $"SELECT m.session_id, COUNT(*), MIN(m.valid_from) AS started, MAX({greatest}(m.updated_at, m.valid_from)) AS touched " +
        $"FROM memories m WHERE {where} AND m.session_id <> '' GROUP BY m.session_id " +
        (oldestFirst ? "ORDER BY started, m.session_id" : "ORDER BY touched DESC, m.session_id") + " LIMIT @count";

    /// <summary>Reads the rows of <see cref="Sql"/>.</summary>
    public static async Task<List<SessionGroup>> ReadAsync(DbDataReader reader, CancellationToken cancellationToken)
    {
        var groups = new List<SessionGroup>();
        while (await reader.ReadAsync(cancellationToken))
        {
            groups.Add(new SessionGroup(reader.GetString(0), Convert.ToInt32(reader.GetValue(1)), reader.GetInt64(2), reader.GetInt64(3)));
        }
        return groups;
    }

    /// <summary>
    /// Adds each group's headline and project, read with <paramref name="first"/>: the first memory of a filter
    /// in a SQL order (<see cref="SessionDigest.HeadlineOrder"/>, <see cref="SessionDigest.LatestOrder"/>).
    /// </summary>
    public static async Task<IReadOnlyList<SessionDigest>> DigestAsync(
        IReadOnlyList<SessionGroup> groups, MemoryFilter filter, Func<MemoryFilter, string, Task<Memory?>> first)
    {
        var digests = new List<SessionDigest>(groups.Count);
        foreach (var group in groups)
        {
            var inSession = filter with { SessionId = group.SessionId };
            // A memory deleted between the two queries leaves a group without rows: it is skipped.
            if (await first(inSession, SessionDigest.HeadlineOrder) is not { } headline) continue;
            var latest = await first(inSession, SessionDigest.LatestOrder) ?? headline;
            digests.Add(new SessionDigest
            {
                SessionId = group.SessionId,
                Project = latest.Scope.Project,
                StartedAt = MemoryRows.Time(group.StartedAt),
                UpdatedAt = MemoryRows.Time(group.UpdatedAt),
                Memories = group.Memories,
                Headline = headline,
            });
        }
        return digests;
    }
}
