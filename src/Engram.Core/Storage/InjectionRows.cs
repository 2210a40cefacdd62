using System.Data.Common;

namespace Engram.Core.Storage;

/// <summary>
/// The <c>injections</c> table as both SQL stores read and write it: the statements are plain SQL both
/// dialects accept, so only the connection handling stays in each store.
/// </summary>
public static class InjectionRows
{
    private const string Columns = "tenant, context_id, memory_id, session_id, project, rank, reason, detail, tokens, source, injected_at";

    /// <summary>Inserts one record; an existing (tenant, context, memory) row wins.</summary>
    public const string InsertSql =
        "INSERT INTO injections (" + Columns + ") VALUES (@tenant, @context_id, @memory_id, @session_id, @project, @rank, @reason, @detail, @tokens, @source, @injected_at) " +
        "ON CONFLICT (tenant, context_id, memory_id) DO NOTHING";

    public const string BySessionSql =
        "SELECT " + Columns + " FROM injections WHERE tenant = @tenant AND session_id = @key ORDER BY injected_at, context_id, rank";

    public const string ByMemorySql =
        "SELECT " + Columns + " FROM injections WHERE tenant = @tenant AND memory_id = @key ORDER BY injected_at DESC, context_id DESC LIMIT @limit";

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
        Rank = Convert.ToInt32(r.GetValue(5), System.Globalization.CultureInfo.InvariantCulture),
        Reason = r.GetString(6),
        Detail = r.GetString(7),
        Tokens = Convert.ToInt32(r.GetValue(8), System.Globalization.CultureInfo.InvariantCulture),
        Source = r.GetString(9),
        InjectedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(10)),
    };

    public static async Task<IReadOnlyList<InjectionRecord>> ReadAllAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<InjectionRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) rows.Add(Read(reader));
        return rows;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
