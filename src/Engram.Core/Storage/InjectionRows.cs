using System.Data.Common;
using static Engram.Core.Storage.DbParameters;

namespace Engram.Core.Storage;

/// <summary>
/// The <c>injections</c> table as both SQL stores read and write it: the statements are plain SQL both
/// dialects accept, so only the connection handling stays in each store.
/// </summary>
public static class InjectionRows
{
    private const string InsertColumns = "tenant, context_id, memory_id, session_id, project, rank, reason, detail, tokens, source, injected_at";
    private const string Columns = InsertColumns + ", fetched_at, fetched_via, acted_at, acted_on";

    /// <summary>A fetch is put down to an injection of at most this long before it (a fetch names no session).</summary>
    public static readonly TimeSpan FetchWindow = TimeSpan.FromDays(1);

    /// <summary>Inserts one record; an existing (tenant, context, memory) row wins.</summary>
    public const string InsertSql =
        "INSERT INTO injections (" + InsertColumns + ") VALUES (@tenant, @context_id, @memory_id, @session_id, @project, @rank, @reason, @detail, @tokens, @source, @injected_at) " +
        "ON CONFLICT (tenant, context_id, memory_id) DO NOTHING";

    public const string BySessionSql =
        "SELECT " + Columns + " FROM injections WHERE tenant = @tenant AND session_id = @key ORDER BY injected_at, context_id, rank";

    public const string ByMemorySql =
        "SELECT " + Columns + " FROM injections WHERE tenant = @tenant AND memory_id = @key ORDER BY injected_at DESC, context_id DESC LIMIT @limit";

    /// <summary>Marks the newest injection of a memory within the fetch window, when it is not marked yet.</summary>
    public const string MarkFetchedSql =
        "UPDATE injections SET fetched_at = @at, fetched_via = @how WHERE tenant = @tenant AND memory_id = @memory_id AND fetched_at IS NULL " +
        "AND context_id = (SELECT context_id FROM injections WHERE tenant = @tenant AND memory_id = @memory_id " +
        "AND injected_at <= @at AND injected_at >= @since ORDER BY injected_at DESC, context_id DESC LIMIT 1)";

    /// <summary>Marks a session's injections of a memory made before the act, when not marked yet.</summary>
    public const string MarkActedOnSql =
        "UPDATE injections SET acted_at = @at, acted_on = @how WHERE tenant = @tenant AND session_id = @session_id AND memory_id = @memory_id " +
        "AND acted_at IS NULL AND injected_at <= @at";

    private const string UseByProjectSql =
        "SELECT project, count(*), count(DISTINCT memory_id), count(DISTINCT session_id), coalesce(sum(tokens), 0), count(fetched_at), count(acted_at), " +
        "count(CASE WHEN fetched_at IS NOT NULL OR acted_at IS NOT NULL THEN 1 END) FROM injections WHERE tenant = @tenant GROUP BY project";

    private const string KindsByProjectSql =
        "SELECT project, kind, count(*) FROM memories WHERE tenant = @tenant AND valid_to IS NULL GROUP BY project, kind";

    /// <summary>
    /// Runs <see cref="MarkFetchedSql"/> or <see cref="MarkActedOnSql"/> (on <paramref name="command"/>, made with
    /// that text) for each memory; <paramref name="sessionId"/> is bound when given. Returns the rows marked.
    /// </summary>
    public static async Task<int> MarkAsync(DbCommand command, string tenant, string? sessionId, IReadOnlyCollection<string> memoryIds, string how,
        DateTimeOffset at, CancellationToken cancellationToken)
    {
        var marked = 0;
        foreach (var id in memoryIds.Distinct(StringComparer.Ordinal))
        {
            command.Parameters.Clear();
            Add(command, "@tenant", tenant);
            Add(command, "@memory_id", id);
            Add(command, "@how", how);
            Add(command, "@at", at.ToUnixTimeMilliseconds());
            if (sessionId is null) Add(command, "@since", (at - FetchWindow).ToUnixTimeMilliseconds());
            else Add(command, "@session_id", sessionId);
            marked += await command.ExecuteNonQueryAsync(cancellationToken);
        }
        return marked;
    }

    /// <summary>Reads <see cref="InjectionUse"/> per memory; <paramref name="command"/> is a fresh command of the store's connection.</summary>
    public static async Task<IReadOnlyDictionary<string, InjectionUse>> UseOfMemoriesAsync(DbCommand command, string tenant, IReadOnlyCollection<string> memoryIds,
        CancellationToken cancellationToken)
    {
        var use = new Dictionary<string, InjectionUse>(StringComparer.Ordinal);
        var ids = memoryIds.Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0) return use;
        command.CommandText = "SELECT memory_id, count(*), count(fetched_at), count(acted_at) FROM injections WHERE tenant = @tenant AND memory_id IN (" +
            string.Join(", ", ids.Select((_, i) => "@m" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ") GROUP BY memory_id";
        Add(command, "@tenant", tenant);
        for (var i = 0; i < ids.Count; i++) Add(command, "@m" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), ids[i]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) use[reader.GetString(0)] = new InjectionUse(Int(reader, 1), Int(reader, 2), Int(reader, 3));
        return use;
    }

    /// <summary>Reads <see cref="ProjectUse"/> for every project with memories or injections; <paramref name="newCommand"/> makes commands on one connection.</summary>
    public static async Task<IReadOnlyList<ProjectUse>> UseByProjectAsync(Func<DbCommand> newCommand, string tenant, CancellationToken cancellationToken)
    {
        var kinds = new Dictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
        await using (var command = newCommand())
        {
            command.CommandText = KindsByProjectSql;
            Add(command, "@tenant", tenant);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (!kinds.TryGetValue(reader.GetString(0), out var byKind)) kinds[reader.GetString(0)] = byKind = new(StringComparer.Ordinal);
                byKind[reader.GetString(1)] = Long(reader, 2);
            }
        }
        var projects = new Dictionary<string, ProjectUse>(StringComparer.Ordinal);
        await using (var command = newCommand())
        {
            command.CommandText = UseByProjectSql;
            Add(command, "@tenant", tenant);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                projects[reader.GetString(0)] = new ProjectUse
                {
                    Project = reader.GetString(0),
                    Injections = Long(reader, 1),
                    InjectedMemories = Long(reader, 2),
                    Sessions = Long(reader, 3),
                    TokensInjected = Long(reader, 4),
                    Fetched = Long(reader, 5),
                    ActedOn = Long(reader, 6),
                    Used = Long(reader, 7),
                };
            }
        }
        return [.. kinds.Keys.Union(projects.Keys).Order(StringComparer.Ordinal).Select(p =>
            (projects.GetValueOrDefault(p) ?? new ProjectUse { Project = p }) with { MemoriesByKind = kinds.GetValueOrDefault(p) ?? new Dictionary<string, long>() })];
    }

    public static void Bind(DbCommand command, InjectionRecord r)
    {
        command.Parameters.Clear();
        Add(command, "@tenant", r.Tenant);
        Add(command, "@context_id", r.ContextId);
        Add(command, "@memory_id", r.MemoryId);
        Add(command, "@session_id", r.SessionId);
        Add(command, "@project", r.Project);
        Add(command, "@rank", r.Rank);
        Add(command, "@reason", r.Reason);
        Add(command, "@detail", r.Detail);
        Add(command, "@tokens", r.Tokens);
        Add(command, "@source", r.Source);
        Add(command, "@injected_at", r.InjectedAt.ToUnixTimeMilliseconds());
    }

    /// <summary>Binds a lookup by session id or memory id (<c>@key</c>) and, when not negative, its limit.</summary>
    public static void BindLookup(DbCommand command, string tenant, string key, int limit)
    {
        Add(command, "@tenant", tenant);
        Add(command, "@key", key);
        if (limit >= 0) Add(command, "@limit", limit);
    }

    public static InjectionRecord Read(DbDataReader r) => new()
    {
        Tenant = r.GetString(0),
        ContextId = r.GetString(1),
        MemoryId = r.GetString(2),
        SessionId = r.GetString(3),
        Project = r.GetString(4),
        Rank = Int(r, 5),
        Reason = r.GetString(6),
        Detail = r.GetString(7),
        Tokens = Int(r, 8),
        Source = r.GetString(9),
        InjectedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(10)),
        FetchedAt = r.IsDBNull(11) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(11)),
        FetchedVia = r.IsDBNull(12) ? null : r.GetString(12),
        ActedAt = r.IsDBNull(13) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(13)),
        ActedOn = r.IsDBNull(14) ? null : r.GetString(14),
    };

    private static long Long(DbDataReader r, int i) => Convert.ToInt64(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);

    private static int Int(DbDataReader r, int i) => Convert.ToInt32(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);

    public static async Task<IReadOnlyList<InjectionRecord>> ReadAllAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<InjectionRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) rows.Add(Read(reader));
        return rows;
    }
}
