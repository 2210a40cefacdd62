using System.Data.Common;
using System.Text.Json;
using Engram.Core.Model;
using Engram.Core.Serialization;

namespace Engram.Core.Storage;

/// <summary>
/// The row shape every SQL store shares: column lists in the order the readers expect, memories and
/// history entries read from any ADO.NET reader, and the text forms of events, lists and JSON fields.
/// Stores keep only what differs: their SQL dialect and how they bind parameters.
/// </summary>
public static class MemoryRows
{
    /// <summary>Columns of <c>memories</c> in the order <see cref="ReadMemory"/> expects, for alias m.</summary>
    public const string MemoryColumns =
        "m.id, m.tenant, m.user_id, m.agent_id, m.project, m.session_id, m.kind, m.type, m.title, m.content, " +
        "m.facts, m.concepts, m.files_read, m.files_modified, m.metadata, m.source, m.importance, m.access_count, " +
        "m.last_accessed_at, m.created_at, m.updated_at, m.valid_from, m.valid_to, m.superseded_by, m.content_hash, " +
        "m.occurrences, m.expires_at, m.file_states";

    public const int MemoryColumnCount = 28;

    /// <summary>The SET list of an update that rewrites a memory's fields (id, tenant and times of creation stay).</summary>
    public const string UpdateMemorySet =
        "type = @type, title = @title, content = @content, facts = @facts, concepts = @concepts, " +
        "files_read = @files_read, files_modified = @files_modified, metadata = @metadata, source = @source, " +
        "search_extra = @search_extra, importance = @importance, updated_at = @updated_at, valid_from = @valid_from, source_key = @source_key, scope_tokens = @scope_tokens, " +
        "valid_to = @valid_to, superseded_by = @superseded_by, content_hash = @content_hash, " +
        "occurrences = @occurrences, expires_at = @expires_at, file_states = @file_states";

    /// <summary>Column names of an insert, in the order of <see cref="InsertMemoryValues"/>.</summary>
    public const string InsertMemoryColumns =
        "id, tenant, user_id, agent_id, project, session_id, kind, type, title, content, " +
        "facts, concepts, files_read, files_modified, metadata, source, search_extra, importance, access_count, " +
        "last_accessed_at, created_at, updated_at, valid_from, valid_to, superseded_by, content_hash, source_key, scope_tokens, " +
        "occurrences, expires_at, file_states";

    public const string InsertMemoryValues =
        "@id, @tenant, @user_id, @agent_id, @project, @session_id, @kind, @type, @title, @content, " +
        "@facts, @concepts, @files_read, @files_modified, @metadata, @source, @search_extra, @importance, @access_count, " +
        "@last_accessed_at, @created_at, @updated_at, @valid_from, @valid_to, @superseded_by, @content_hash, @source_key, @scope_tokens, " +
        "@occurrences, @expires_at, @file_states";

    /// <summary>
    /// The current memory of the bound memory's scope with the same kind and text, other than itself: what a
    /// write must not duplicate. Bound as the stores bind a whole memory.
    /// </summary>
    public const string SelectCurrentDuplicate =
        $"SELECT {MemoryColumns} FROM memories m WHERE m.tenant = @tenant AND m.user_id = @user_id AND m.agent_id = @agent_id " +
        "AND m.project = @project AND m.session_id = @session_id AND m.kind = @kind AND m.content_hash = @content_hash " +
        "AND m.valid_to IS NULL AND m.id <> @id";

    /// <summary>The memory imported before from the same source item (source key) in the bound memory's scope.</summary>
    public const string SelectBySourceKey =
        $"SELECT {MemoryColumns} FROM memories m WHERE m.tenant = @tenant AND m.user_id = @user_id AND m.agent_id = @agent_id " +
        "AND m.project = @project AND m.session_id = @session_id AND m.source_key = @source_key";

    /// <summary>Columns of <c>history</c> in the order <see cref="ReadHistory"/> expects, for alias h.</summary>
    public const string HistoryColumns =
        "h.id, h.memory_id, h.tenant, h.user_id, h.agent_id, h.project, h.session_id, h.event, h.actor, h.at, h.old_value, h.new_value, h.reason";

    public const int HistoryColumnCount = 13;

    public static Memory ReadMemory(DbDataReader r) => new()
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
        Occurrences = r.GetInt32(25),
        ExpiresAt = NullableTime(r, 26),
        FileStates = r.IsDBNull(27)
            ? []
            : JsonSerializer.Deserialize(r.GetString(27), EngramJsonContext.Default.ListFileState) ?? [],
    };

    /// <summary>The first memory the command selects, or null.</summary>
    public static async Task<Memory?> ReadOneAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadMemory(reader) : null;
    }

    /// <summary>Every memory the command selects with its row number: <see cref="MemoryColumns"/>, then m.seq.</summary>
    public static async Task<List<(Memory Memory, long Seq)>> ReadWithSeqAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<(Memory, long)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) rows.Add((ReadMemory(reader), reader.GetInt64(MemoryColumnCount)));
        return rows;
    }

    /// <summary>
    /// Which of <paramref name="ids"/> name memories with no vector of this model and size (<c>IMemoryStore.WithoutVectorsAsync</c>):
    /// <paramref name="command"/> is a fresh command of the store's connection.
    /// </summary>
    public static async Task<IReadOnlySet<string>> WithoutVectorsAsync(DbCommand command, IReadOnlyCollection<string> ids, string model, int dimensions,
        CancellationToken cancellationToken)
    {
        var names = new List<string>(ids.Count);
        foreach (var id in ids)
        {
            names.Add("@id" + names.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            DbParameters.Add(command, names[^1], id);
        }
        command.CommandText = "SELECT m.id FROM memories m LEFT JOIN embeddings e ON e.memory_seq = m.seq AND e.model = @model AND e.dims = @dims " +
            $"WHERE m.id IN ({string.Join(", ", names)}) AND e.memory_seq IS NULL";
        DbParameters.Add(command, "@model", model);
        DbParameters.Add(command, "@dims", dimensions);
        var missing = new HashSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) missing.Add(reader.GetString(0));
        return missing;
    }

    /// <summary>One memory's history, oldest first; binds @id and @tenant.</summary>
    public const string HistoryOfMemorySql = "SELECT " + HistoryColumns + " FROM history h WHERE h.memory_id = @id AND h.tenant = @tenant ORDER BY h.id";

    /// <summary>The history of memories no longer stored, within a filter's condition on <c>h</c>.</summary>
    public static string OrphanHistorySql(string where) =>
        $"SELECT {HistoryColumns} FROM history h WHERE {where} AND NOT EXISTS (SELECT 1 FROM memories m WHERE m.id = h.memory_id) ORDER BY h.memory_id, h.id";

    /// <summary>Every history entry the command selects (<see cref="HistoryColumns"/>), as they come.</summary>
    public static async IAsyncEnumerable<HistoryEntry> ReadHistoryAsync(DbCommand command, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) yield return ReadHistory(reader);
    }

    public static HistoryEntry ReadHistory(DbDataReader r) => new()
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

    /// <summary>Times are stored as Unix milliseconds.</summary>
    public static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    /// <summary>A list as its JSON text, or null for an empty one (stored as NULL).</summary>
    public static string? ListJson(IReadOnlyList<string> list) =>
        list.Count == 0 ? null : JsonSerializer.Serialize(list.ToList(), EngramJsonContext.Default.ListString);

    /// <summary>Metadata as its JSON text, or null when there is none.</summary>
    public static string? MetadataJson(Memory m) => m.Metadata.Count == 0
        ? null
        : JsonSerializer.Serialize(new Dictionary<string, string>(m.Metadata), EngramJsonContext.Default.DictionaryStringString);

    /// <summary>File states as their JSON text, or null when there are none.</summary>
    public static string? FileStatesJson(Memory m) =>
        m.FileStates.Count == 0 ? null : JsonSerializer.Serialize(m.FileStates.ToList(), EngramJsonContext.Default.ListFileState);

    /// <summary>The source reference as its JSON text, or null when there is none.</summary>
    public static string? SourceJson(Memory m) => m.Source.IsEmpty ? null : JsonSerializer.Serialize(m.Source, EngramJsonContext.Default.MemorySource);

    private static DateTimeOffset? NullableTime(DbDataReader r, int i) => r.IsDBNull(i) ? null : Time(r.GetInt64(i));

    private static string? NullableString(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static List<string> ReadList(DbDataReader r, int i) =>
        r.IsDBNull(i) ? [] : JsonSerializer.Deserialize(r.GetString(i), EngramJsonContext.Default.ListString) ?? [];
}
