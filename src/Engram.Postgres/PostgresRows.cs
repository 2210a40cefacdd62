using Engram.Core.Model;
using Engram.Core.Search;
using Engram.Core.Storage;
using Npgsql;

namespace Engram.Postgres;

/// <summary>Maps memories and history entries to and from rows (the same columns as the SQLite store).</summary>
internal static class PostgresRows
{
    public const string InsertMemorySql =
        $"INSERT INTO memories ({MemoryRows.InsertMemoryColumns}) VALUES ({MemoryRows.InsertMemoryValues}) ON CONFLICT DO NOTHING RETURNING seq";

    public const string InsertHistorySql =
        "INSERT INTO history (id, memory_id, tenant, user_id, agent_id, project, session_id, event, actor, at, old_value, new_value, reason) " +
        "VALUES (@h_id, @h_memory_id, @h_tenant, @h_user_id, @h_agent_id, @h_project, @h_session_id, @h_event, @h_actor, @h_at, @h_old, @h_new, @h_reason) " +
        "ON CONFLICT (id) DO NOTHING";

    /// <summary>Binds every column of a memory as @name parameters.</summary>
    public static void BindMemory(NpgsqlCommand command, Memory m)
    {
        var p = command.Parameters;
        p.AddWithValue("id", m.Id);
        p.AddWithValue("tenant", m.Scope.Tenant);
        p.AddWithValue("user_id", m.Scope.UserId);
        p.AddWithValue("agent_id", m.Scope.AgentId);
        p.AddWithValue("project", m.Scope.Project);
        p.AddWithValue("session_id", m.Scope.SessionId);
        p.AddWithValue("kind", m.Kind.ToWire());
        Text(p, "type", m.Type);
        Text(p, "title", m.Title);
        p.AddWithValue("content", Clean(m.Content));
        Text(p, "facts", MemoryRows.ListJson(m.Facts));
        Text(p, "concepts", MemoryRows.ListJson(m.Concepts));
        Text(p, "files_read", MemoryRows.ListJson(m.FilesRead));
        Text(p, "files_modified", MemoryRows.ListJson(m.FilesModified));
        Text(p, "metadata", MemoryRows.MetadataJson(m));
        Text(p, "source", MemoryRows.SourceJson(m));
        Text(p, "search_extra", IndexText.Extra(m));
        p.AddWithValue("importance", m.Importance);
        p.AddWithValue("access_count", m.AccessCount);
        Long(p, "last_accessed_at", m.LastAccessedAt?.ToUnixTimeMilliseconds());
        p.AddWithValue("created_at", m.CreatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("updated_at", m.UpdatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("valid_from", m.ValidFrom.ToUnixTimeMilliseconds());
        Long(p, "valid_to", m.ValidTo?.ToUnixTimeMilliseconds());
        Text(p, "superseded_by", m.SupersededBy);
        p.AddWithValue("content_hash", m.ContentHash);
        Text(p, "source_key", m.Source.ExternalId);
        p.AddWithValue("scope_tokens", PgScope.Tokens(m.Scope));
        p.AddWithValue("occurrences", m.Occurrences);
        Long(p, "expires_at", m.ExpiresAt?.ToUnixTimeMilliseconds());
        Text(p, "file_states", MemoryRows.FileStatesJson(m));
    }

    public static void BindHistory(NpgsqlCommand command, HistoryEntry h)
    {
        var p = command.Parameters;
        p.AddWithValue("h_id", h.Id);
        p.AddWithValue("h_memory_id", h.MemoryId);
        p.AddWithValue("h_tenant", h.Scope.Tenant);
        p.AddWithValue("h_user_id", h.Scope.UserId);
        p.AddWithValue("h_agent_id", h.Scope.AgentId);
        p.AddWithValue("h_project", h.Scope.Project);
        p.AddWithValue("h_session_id", h.Scope.SessionId);
        p.AddWithValue("h_event", MemoryRows.EventName(h.Event));
        p.AddWithValue("h_actor", h.Actor);
        p.AddWithValue("h_at", h.At.ToUnixTimeMilliseconds());
        Text(p, "h_old", h.OldValue);
        Text(p, "h_new", h.NewValue);
        Text(p, "h_reason", h.Reason);
    }

    public static void Text(NpgsqlParameterCollection p, string name, string? value) =>
        p.Add(new NpgsqlParameter<string?>(name, NpgsqlTypes.NpgsqlDbType.Text) { TypedValue = value is null ? null : Clean(value) });

    private static void Long(NpgsqlParameterCollection p, string name, long? value) =>
        p.Add(new NpgsqlParameter(name, NpgsqlTypes.NpgsqlDbType.Bigint) { Value = value is { } v ? v : DBNull.Value });

    /// <summary>PostgreSQL text cannot hold NUL characters; SQLite can. They carry no meaning in a memory.</summary>
    public static string Clean(string value) => value.Contains('\0', StringComparison.Ordinal) ? value.Replace("\0", "", StringComparison.Ordinal) : value;
}
