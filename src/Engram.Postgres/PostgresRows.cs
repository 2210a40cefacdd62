using System.Text.Json;
using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Search;
using Engram.Core.Serialization;
using Npgsql;

namespace Engram.Postgres;

/// <summary>Maps memories and history entries to and from rows (the same columns as the SQLite store).</summary>
internal static class PostgresRows
{
    /// <summary>Columns of <c>memories</c> in the order <see cref="ReadMemory"/> expects, for alias m.</summary>
    public const string MemoryColumns =
        "m.id, m.tenant, m.user_id, m.agent_id, m.project, m.session_id, m.kind, m.type, m.title, m.content, " +
        "m.facts, m.concepts, m.files_read, m.files_modified, m.metadata, m.source, m.importance, m.access_count, " +
        "m.last_accessed_at, m.created_at, m.updated_at, m.valid_from, m.valid_to, m.superseded_by, m.content_hash";

    public const int MemoryColumnCount = 25;

    public const string HistoryColumns =
        "h.id, h.memory_id, h.tenant, h.user_id, h.agent_id, h.project, h.session_id, h.event, h.actor, h.at, h.old_value, h.new_value, h.reason";

    public const int HistoryColumnCount = 13;

    public const string InsertMemorySql =
        "INSERT INTO memories (id, tenant, user_id, agent_id, project, session_id, kind, type, title, content, " +
        "facts, concepts, files_read, files_modified, metadata, source, search_extra, importance, access_count, " +
        "last_accessed_at, created_at, updated_at, valid_from, valid_to, superseded_by, content_hash, source_key, scope_tokens) VALUES " +
        "(@id, @tenant, @user_id, @agent_id, @project, @session_id, @kind, @type, @title, @content, " +
        "@facts, @concepts, @files_read, @files_modified, @metadata, @source, @search_extra, @importance, @access_count, " +
        "@last_accessed_at, @created_at, @updated_at, @valid_from, @valid_to, @superseded_by, @content_hash, @source_key, @scope_tokens) " +
        "ON CONFLICT DO NOTHING RETURNING seq";

    public const string InsertHistorySql =
        "INSERT INTO history (id, memory_id, tenant, user_id, agent_id, project, session_id, event, actor, at, old_value, new_value, reason) " +
        "VALUES (@h_id, @h_memory_id, @h_tenant, @h_user_id, @h_agent_id, @h_project, @h_session_id, @h_event, @h_actor, @h_at, @h_old, @h_new, @h_reason) " +
        "ON CONFLICT (id) DO NOTHING";

    public static Memory ReadMemory(NpgsqlDataReader r) => new()
    {
        Id = r.GetString(0),
        Scope = new MemoryScope
        {
            Tenant = r.GetString(1),
            UserId = r.GetString(2),
            AgentId = r.GetString(3),
            Project = r.GetString(4),
            SessionId = r.GetString(5),
        },
        Kind = MemoryKinds.Parse(r.GetString(6)),
        Type = NullableString(r, 7),
        Title = NullableString(r, 8),
        Content = r.GetString(9),
        Facts = ReadList(r, 10),
        Concepts = ReadList(r, 11),
        FilesRead = ReadList(r, 12),
        FilesModified = ReadList(r, 13),
        Metadata = r.IsDBNull(14)
            ? new Dictionary<string, string>()
            : JsonSerializer.Deserialize(r.GetString(14), EngramJsonContext.Default.DictionaryStringString) ?? [],
        Source = r.IsDBNull(15)
            ? MemorySource.None
            : JsonSerializer.Deserialize(r.GetString(15), EngramJsonContext.Default.MemorySource) ?? MemorySource.None,
        Importance = r.GetDouble(16),
        AccessCount = r.GetInt64(17),
        LastAccessedAt = NullableTime(r, 18),
        CreatedAt = Time(r.GetInt64(19)),
        UpdatedAt = Time(r.GetInt64(20)),
        ValidFrom = Time(r.GetInt64(21)),
        ValidTo = NullableTime(r, 22),
        SupersededBy = NullableString(r, 23),
        ContentHash = r.GetString(24),
    };

    public static HistoryEntry ReadHistory(NpgsqlDataReader r) => new()
    {
        Id = r.GetString(0),
        MemoryId = r.GetString(1),
        Scope = new MemoryScope
        {
            Tenant = r.GetString(2),
            UserId = r.GetString(3),
            AgentId = r.GetString(4),
            Project = r.GetString(5),
            SessionId = r.GetString(6),
        },
        Event = ParseEvent(r.GetString(7)),
        Actor = r.GetString(8),
        At = Time(r.GetInt64(9)),
        OldValue = NullableString(r, 10),
        NewValue = NullableString(r, 11),
        Reason = NullableString(r, 12),
    };

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
        Text(p, "facts", ListJson(m.Facts));
        Text(p, "concepts", ListJson(m.Concepts));
        Text(p, "files_read", ListJson(m.FilesRead));
        Text(p, "files_modified", ListJson(m.FilesModified));
        Text(p, "metadata", m.Metadata.Count == 0
            ? null
            : JsonSerializer.Serialize(new Dictionary<string, string>(m.Metadata), EngramJsonContext.Default.DictionaryStringString));
        Text(p, "source", m.Source.IsEmpty ? null : JsonSerializer.Serialize(m.Source, EngramJsonContext.Default.MemorySource));
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
        p.AddWithValue("h_event", EventName(h.Event));
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

    public static string EventName(HistoryEvent e) => e switch
    {
        HistoryEvent.Add => "add",
        HistoryEvent.Update => "update",
        HistoryEvent.Delete => "delete",
        HistoryEvent.Supersede => "supersede",
        _ => throw new ArgumentOutOfRangeException(nameof(e)),
    };

    private static HistoryEvent ParseEvent(string name) => name switch
    {
        "add" => HistoryEvent.Add,
        "update" => HistoryEvent.Update,
        "delete" => HistoryEvent.Delete,
        "supersede" => HistoryEvent.Supersede,
        _ => throw new EngramException($"unknown history event '{name}' in the database"),
    };

    public static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private static DateTimeOffset? NullableTime(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : Time(r.GetInt64(i));

    private static string? NullableString(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static List<string> ReadList(NpgsqlDataReader r, int i) =>
        r.IsDBNull(i) ? [] : JsonSerializer.Deserialize(r.GetString(i), EngramJsonContext.Default.ListString) ?? [];

    private static string? ListJson(IReadOnlyList<string> list) =>
        list.Count == 0 ? null : JsonSerializer.Serialize(list.ToList(), EngramJsonContext.Default.ListString);
}
