using System.Text;
using Engram.Core;
using Engram.Core.Model;
using Npgsql;

namespace Engram.Postgres;

/// <summary>Builds the WHERE clause of a <see cref="MemoryFilter"/> over the memories table (alias m). The tenant is always in it.</summary>
internal static class PgFilter
{
    public static string Where(MemoryFilter filter, NpgsqlCommand command)
    {
        var sql = Scope(filter, command, "m");
        var p = command.Parameters;
        if (filter.Kinds.Count > 0)
        {
            sql.Append(" AND m.kind = ANY(@f_kinds)");
            p.AddWithValue("f_kinds", filter.Kinds.Select(k => k.ToWire()).ToArray());
        }
        if (filter.Since is { } since)
        {
            sql.Append(" AND m.valid_from >= @f_since");
            p.AddWithValue("f_since", since.ToUnixTimeMilliseconds());
        }
        if (filter.Until is { } until)
        {
            sql.Append(" AND m.valid_from < @f_until");
            p.AddWithValue("f_until", until.ToUnixTimeMilliseconds());
        }
        if (!filter.IncludeSuperseded) sql.Append(" AND m.valid_to IS NULL");
        if (filter.ActiveAt is { } activeAt)
        {
            sql.Append(" AND (m.expires_at IS NULL OR m.expires_at > @f_active)");
            p.AddWithValue("f_active", activeAt.ToUnixTimeMilliseconds());
        }
        var n = 0;
        foreach (var (key, value) in filter.Metadata)
        {
            if (key.Contains('"', StringComparison.Ordinal) || key.Length == 0)
            {
                throw new EngramException($"metadata filter key '{key}' is invalid: keys cannot be empty or contain '\"'");
            }
            // Metadata is stored as JSON text of string values: compare the key's text value.
            sql.Append(" AND (m.metadata::jsonb ->> @f_mk").Append(n).Append(") = @f_mv").Append(n);
            p.AddWithValue("f_mk" + n, key);
            p.AddWithValue("f_mv" + n, value);
            n++;
        }
        return sql.ToString();
    }

    /// <summary>The scope part of a filter over the history table (alias h).</summary>
    public static string HistoryWhere(MemoryFilter filter, NpgsqlCommand command) => Scope(filter, command, "h").ToString();

    private static StringBuilder Scope(MemoryFilter filter, NpgsqlCommand command, string alias)
    {
        var sql = new StringBuilder(alias).Append(".tenant = @f_tenant");
        var p = command.Parameters;
        p.AddWithValue("f_tenant", filter.Tenant);
        Equal(sql, p, alias + ".user_id", "f_user", filter.UserId);
        Equal(sql, p, alias + ".agent_id", "f_agent", filter.AgentId);
        Equal(sql, p, alias + ".project", "f_project", filter.Project);
        Equal(sql, p, alias + ".session_id", "f_session", filter.SessionId);
        return sql;
    }

    private static void Equal(StringBuilder sql, NpgsqlParameterCollection p, string column, string name, string? value)
    {
        if (string.IsNullOrEmpty(value)) return;
        sql.Append(" AND ").Append(column).Append(" = @").Append(name);
        p.AddWithValue(name, value);
    }
}
