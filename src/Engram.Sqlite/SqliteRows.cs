using Engram.Core.Model;
using Engram.Core.Search;
using Engram.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Engram.Sqlite;

/// <summary>Maps memories and history entries to and from rows.</summary>
internal static class SqliteRows
{
    /// <summary>Binds every column of a memory as @name parameters.</summary>
    public static void BindMemory(SqliteCommand command, Memory m)
    {
        var p = command.Parameters;
        p.AddWithValue("@id", m.Id);
        p.AddWithValue("@tenant", m.Scope.Tenant);
        p.AddWithValue("@user_id", m.Scope.UserId);
        p.AddWithValue("@agent_id", m.Scope.AgentId);
        p.AddWithValue("@project", m.Scope.Project);
        p.AddWithValue("@session_id", m.Scope.SessionId);
        p.AddWithValue("@kind", m.Kind.ToWire());
        p.AddWithValue("@type", (object?)m.Type ?? DBNull.Value);
        p.AddWithValue("@title", (object?)m.Title ?? DBNull.Value);
        p.AddWithValue("@content", m.Content);
        p.AddWithValue("@facts", OrNull(MemoryRows.ListJson(m.Facts)));
        p.AddWithValue("@concepts", OrNull(MemoryRows.ListJson(m.Concepts)));
        p.AddWithValue("@files_read", OrNull(MemoryRows.ListJson(m.FilesRead)));
        p.AddWithValue("@files_modified", OrNull(MemoryRows.ListJson(m.FilesModified)));
        p.AddWithValue("@metadata", OrNull(MemoryRows.MetadataJson(m)));
        p.AddWithValue("@source", OrNull(MemoryRows.SourceJson(m)));
        p.AddWithValue("@search_extra", (object?)IndexText.Extra(m) ?? DBNull.Value);
        p.AddWithValue("@importance", m.Importance);
        p.AddWithValue("@access_count", m.AccessCount);
        p.AddWithValue("@last_accessed_at", m.LastAccessedAt is { } la ? la.ToUnixTimeMilliseconds() : DBNull.Value);
        p.AddWithValue("@created_at", m.CreatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("@updated_at", m.UpdatedAt.ToUnixTimeMilliseconds());
        p.AddWithValue("@valid_from", m.ValidFrom.ToUnixTimeMilliseconds());
        p.AddWithValue("@valid_to", m.ValidTo is { } vt ? vt.ToUnixTimeMilliseconds() : DBNull.Value);
        p.AddWithValue("@superseded_by", (object?)m.SupersededBy ?? DBNull.Value);
        p.AddWithValue("@content_hash", m.ContentHash);
        p.AddWithValue("@source_key", (object?)m.Source.ExternalId ?? DBNull.Value);
        p.AddWithValue("@scope_tokens", (object?)ScopeTokens.Of(m.Scope) ?? DBNull.Value);
        p.AddWithValue("@occurrences", m.Occurrences);
        p.AddWithValue("@expires_at", m.ExpiresAt is { } ex ? ex.ToUnixTimeMilliseconds() : DBNull.Value);
        p.AddWithValue("@file_states", OrNull(MemoryRows.FileStatesJson(m)));
    }

    public const string InsertMemorySql =
        $"INSERT OR IGNORE INTO memories ({MemoryRows.InsertMemoryColumns}) VALUES ({MemoryRows.InsertMemoryValues})";

    public const string InsertHistorySql =
        "INSERT OR IGNORE INTO history (id, memory_id, tenant, user_id, agent_id, project, session_id, event, actor, at, old_value, new_value, reason) " +
        "VALUES (@h_id, @h_memory_id, @h_tenant, @h_user_id, @h_agent_id, @h_project, @h_session_id, @h_event, @h_actor, @h_at, @h_old, @h_new, @h_reason)";

    public static void BindHistory(SqliteCommand command, HistoryEntry h)
    {
        var p = command.Parameters;
        p.AddWithValue("@h_id", h.Id);
        p.AddWithValue("@h_memory_id", h.MemoryId);
        p.AddWithValue("@h_tenant", h.Scope.Tenant);
        p.AddWithValue("@h_user_id", h.Scope.UserId);
        p.AddWithValue("@h_agent_id", h.Scope.AgentId);
        p.AddWithValue("@h_project", h.Scope.Project);
        p.AddWithValue("@h_session_id", h.Scope.SessionId);
        p.AddWithValue("@h_event", MemoryRows.EventName(h.Event));
        p.AddWithValue("@h_actor", h.Actor);
        p.AddWithValue("@h_at", h.At.ToUnixTimeMilliseconds());
        p.AddWithValue("@h_old", (object?)h.OldValue ?? DBNull.Value);
        p.AddWithValue("@h_new", (object?)h.NewValue ?? DBNull.Value);
        p.AddWithValue("@h_reason", (object?)h.Reason ?? DBNull.Value);
    }

    private static object OrNull(string? value) => (object?)value ?? DBNull.Value;
}
