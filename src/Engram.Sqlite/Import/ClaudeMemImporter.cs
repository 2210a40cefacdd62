using System.Text.Json;
using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Privacy;
using Engram.Core.Services;
using Microsoft.Data.Sqlite;

namespace Engram.Sqlite.Import;

/// <summary>What an import from claude-mem brought over.</summary>
public sealed record ClaudeMemImportSummary(int Observations, int Summaries, int Prompts, int AlreadyPresent);

/// <summary>
/// Brings a claude-mem database (<c>~/.claude-mem/claude-mem.db</c>) over: observations, session
/// summaries and user prompts, with their sessions, projects and times. The file is opened read-only.
/// Columns are looked up first, since claude-mem's schema changed across versions. Text goes through
/// the privacy filter (claude-mem stored secrets as they came), and every row carries its claude-mem
/// id as source key, so importing twice adds nothing.
/// </summary>
public sealed class ClaudeMemImporter(IMemoryService memory)
{
    private const string Actor = "import:claude-mem";

    /// <param name="projectOverride">Put everything in this project instead of claude-mem's folder-name projects.</param>
    public async Task<ClaudeMemImportSummary> ImportAsync(string path, string tenant, string? projectOverride, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path)) throw new EngramException($"{path}: no such file");
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        await using var connection = new SqliteConnection(builder.ToString());
        try
        {
            await connection.OpenAsync(cancellationToken);
            var tables = await TablesAsync(connection, cancellationToken);
            if (!tables.Contains("observations") && !tables.Contains("session_summaries"))
            {
                throw new EngramException($"{path} is not a claude-mem database (it has no observations or session_summaries table)");
            }
            var counts = new Counts();
            if (tables.Contains("observations")) await ObservationsAsync(connection, tenant, projectOverride, counts, cancellationToken);
            if (tables.Contains("session_summaries")) await SummariesAsync(connection, tenant, projectOverride, counts, cancellationToken);
            if (tables.Contains("user_prompts")) await PromptsAsync(connection, tables, tenant, projectOverride, counts, cancellationToken);
            return new ClaudeMemImportSummary(counts.Observations, counts.Summaries, counts.Prompts, counts.Present);
        }
        catch (SqliteException ex)
        {
            throw new EngramException($"cannot read {path} as a claude-mem database: {ex.Message}", ex);
        }
    }

    private sealed class Counts
    {
        public int Observations, Summaries, Prompts, Present;
    }

    private async Task ObservationsAsync(SqliteConnection connection, string tenant, string? project, Counts counts, CancellationToken cancellationToken)
    {
        var columns = await ColumnsAsync(connection, "observations", cancellationToken);
        var session = columns.Contains("memory_session_id") ? "memory_session_id" : columns.Contains("sdk_session_id") ? "sdk_session_id" : "NULL";
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, {session}, {Col(columns, "project")}, {Col(columns, "type")}, {Col(columns, "title")}, {Col(columns, "subtitle")}, " +
            $"{Col(columns, "narrative")}, {Col(columns, "text")}, {Col(columns, "facts")}, {Col(columns, "concepts")}, {Col(columns, "files_read")}, " +
            $"{Col(columns, "files_modified")}, {Col(columns, "created_at_epoch")} FROM observations ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var title = Text(reader, 4);
            var content = Text(reader, 6) ?? Text(reader, 7) ?? Text(reader, 5) ?? title;
            if (string.IsNullOrWhiteSpace(content)) continue;
            var metadata = new Dictionary<string, string> { ["source"] = "claude-mem" };
            if (Text(reader, 5) is { } subtitle) metadata["subtitle"] = Clean(subtitle);
            var added = await AddAsync(new AddMemoryRequest
            {
                Kind = MemoryKind.Observation,
                Scope = Scope(tenant, project ?? Text(reader, 2), Text(reader, 1)),
                Type = Text(reader, 3),
                Title = title is null ? null : Clean(title),
                Content = Clean(content),
                Facts = List(Text(reader, 8)),
                Concepts = List(Text(reader, 9)),
                FilesRead = List(Text(reader, 10)),
                FilesModified = List(Text(reader, 11)),
                Metadata = metadata,
                ValidFrom = Time(reader, 12),
                Source = new MemorySource { ExternalId = $"claude-mem:observation:{reader.GetInt64(0)}" },
                Actor = Actor,
            }, cancellationToken);
            if (added) counts.Observations++;
            else counts.Present++;
        }
    }

    private async Task SummariesAsync(SqliteConnection connection, string tenant, string? project, Counts counts, CancellationToken cancellationToken)
    {
        var columns = await ColumnsAsync(connection, "session_summaries", cancellationToken);
        var session = columns.Contains("memory_session_id") ? "memory_session_id" : columns.Contains("sdk_session_id") ? "sdk_session_id" : "NULL";
        string[] sections = ["request", "investigated", "learned", "completed", "next_steps", "notes"];
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id, {session}, {Col(columns, "project")}, {string.Join(", ", sections.Select(s => Col(columns, s)))}, " +
            $"{Col(columns, "files_read")}, {Col(columns, "files_edited")}, {Col(columns, "created_at_epoch")} FROM session_summaries ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var lines = new List<string>();
            for (var i = 0; i < sections.Length; i++)
            {
                if (Text(reader, 3 + i) is { } value) lines.Add($"{Label(sections[i])}: {Clean(value)}");
            }
            if (lines.Count == 0) continue;
            var metadata = new Dictionary<string, string> { ["source"] = "claude-mem" };
            if (Text(reader, 7) is { } next) metadata["next_steps"] = Clean(next);
            var request = Text(reader, 3);
            var added = await AddAsync(new AddMemoryRequest
            {
                Kind = MemoryKind.Summary,
                Scope = Scope(tenant, project ?? Text(reader, 2), Text(reader, 1)),
                Type = "session",
                Title = request is null ? "session" : Clean(Cut(request, 90)),
                Content = string.Join('\n', lines),
                FilesRead = List(Text(reader, 9)),
                FilesModified = List(Text(reader, 10)),
                Metadata = metadata,
                ValidFrom = Time(reader, 11),
                Source = new MemorySource { ExternalId = $"claude-mem:summary:{reader.GetInt64(0)}" },
                Actor = Actor,
            }, cancellationToken);
            if (added) counts.Summaries++;
            else counts.Present++;
        }
    }

    private async Task PromptsAsync(SqliteConnection connection, HashSet<string> tables, string tenant, string? project, Counts counts, CancellationToken cancellationToken)
    {
        var columns = await ColumnsAsync(connection, "user_prompts", cancellationToken);
        var sessionColumn = columns.Contains("content_session_id") ? "content_session_id" : columns.Contains("claude_session_id") ? "claude_session_id" : null;
        if (!columns.Contains("prompt_text") || sessionColumn is null) return;
        var sessions = tables.Contains("sdk_sessions") ? await ColumnsAsync(connection, "sdk_sessions", cancellationToken) : [];
        var join = sessions.Contains(sessionColumn) && sessions.Contains("project")
            ? $"LEFT JOIN sdk_sessions s ON s.{sessionColumn} = p.{sessionColumn}"
            : "";
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT p.id, p.{sessionColumn}, {(join.Length > 0 ? "s.project" : "NULL")}, p.prompt_text, {(columns.Contains("created_at_epoch") ? "p.created_at_epoch" : "NULL")} " +
            $"FROM user_prompts p {join} ORDER BY p.id";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (Text(reader, 3) is not { } prompt) continue;
            var added = await AddAsync(new AddMemoryRequest
            {
                Kind = MemoryKind.Prompt,
                Scope = Scope(tenant, project ?? Text(reader, 2), Text(reader, 1)),
                Content = Clean(prompt),
                Metadata = new Dictionary<string, string> { ["source"] = "claude-mem" },
                ValidFrom = Time(reader, 4),
                Source = new MemorySource { ExternalId = $"claude-mem:prompt:{reader.GetInt64(0)}" },
                Actor = Actor,
            }, cancellationToken);
            if (added) counts.Prompts++;
            else counts.Present++;
        }
    }

    private async Task<bool> AddAsync(AddMemoryRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var result = await memory.AddAsync(request, cancellationToken);
            return result.Results[0].Outcome == AddOutcome.Added;
        }
        catch (EngramException)
        {
            return false; // an empty or oversized row: skipped, like claude-mem's own viewer would show nothing useful
        }
    }

    private static MemoryScope Scope(string tenant, string? project, string? session) => new()
    {
        Tenant = tenant,
        AgentId = "claude-code",
        Project = project ?? "",
        SessionId = session ?? "",
    };

    private static string Clean(string text) => PrivacyFilter.Apply(text);

    private static string Cut(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";

    private static string Label(string column) => column switch
    {
        "next_steps" => "Next steps",
        _ => char.ToUpperInvariant(column[0]) + column[1..],
    };

    /// <summary>claude-mem keeps lists as JSON arrays in text columns (older rows: comma-separated).</summary>
    private static List<string> List(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var trimmed = text.Trim();
        if (trimmed.StartsWith('['))
        {
            try
            {
                using var document = JsonDocument.Parse(trimmed);
                return document.RootElement.EnumerateArray()
                    .Select(e => e.ValueKind == JsonValueKind.String ? e.GetString() : e.GetRawText())
                    .Where(s => !string.IsNullOrWhiteSpace(s))
                    .Select(s => Clean(s!))
                    .ToList();
            }
            catch (JsonException)
            {
            }
        }
        return trimmed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Clean).ToList();
    }

    private static DateTimeOffset? Time(SqliteDataReader reader, int i)
    {
        if (reader.IsDBNull(i)) return null;
        var value = reader.GetInt64(i);
        // Epochs are milliseconds in current claude-mem; very old rows used seconds.
        return value > 100_000_000_000 ? DateTimeOffset.FromUnixTimeMilliseconds(value) : DateTimeOffset.FromUnixTimeSeconds(value);
    }

    private static string? Text(SqliteDataReader reader, int i) =>
        reader.IsDBNull(i) ? null : reader.GetValue(i)?.ToString() is { } s && !string.IsNullOrWhiteSpace(s) ? s : null;

    private static string Col(HashSet<string> columns, string name) => columns.Contains(name) ? name : "NULL";

    private static async Task<HashSet<string>> TablesAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) names.Add(reader.GetString(0));
        return names;
    }

    private static async Task<HashSet<string>> ColumnsAsync(SqliteConnection connection, string table, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA table_info({table})";
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) names.Add(reader.GetString(1));
        return names;
    }
}
