using Engram.Core.Model;
using Engram.Core.Search;
using Npgsql;

namespace Engram.Postgres;

public sealed partial class PostgresMemoryStore
{
    private const int NeighbourWindow = 2;

    /// <summary>
    /// Conversation messages are indexed with the text of up to two messages either side in their session
    /// (weight D), as in the SQLite store. After a message is added, changed or removed at a point of its
    /// session, the rows within the window of that point are rebuilt. With <paramref name="textGone"/> (a message
    /// deleted, or its text changed) the vectors holding a share of the old text are dropped, as in the SQLite store.
    /// </summary>
    private static async Task RefreshNeighboursAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Memory memory, long seq, CancellationToken cancellationToken,
        bool textGone = false)
    {
        if (memory.Kind != MemoryKind.Message || memory.Scope.SessionId.Length == 0) return;
        var before = await SessionRowsAsync(connection, transaction, memory, seq, "<", "DESC", 2 * NeighbourWindow, cancellationToken);
        before.Reverse();
        var after = await SessionRowsAsync(connection, transaction, memory, seq, ">=", "ASC", 2 * NeighbourWindow + 1, cancellationToken);
        var rows = before.Concat(after).ToList();
        var contexts = NeighbourContext.Build(rows.Select(r => IndexText.ForNeighbours(r.Content)).ToList(), NeighbourWindow);

        var first = Math.Max(0, before.Count - NeighbourWindow);
        var last = Math.Min(rows.Count - 1, before.Count + NeighbourWindow);
        for (var i = first; i <= last; i++)
        {
            await using var update = Command(connection, transaction,
                "UPDATE memories SET search_context = @context WHERE seq = @seq AND search_context IS DISTINCT FROM @context");
            PostgresRows.Text(update.Parameters, "context", contexts[i]);
            update.Parameters.AddWithValue("seq", rows[i].Seq);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        if (!textGone) return;
        // A memory without a vector is what the worker embeds next (ListMissingEmbeddingsAsync).
        await using var drop = Command(connection, transaction, "DELETE FROM embeddings WHERE memory_seq = ANY(@seqs)");
        drop.Parameters.AddWithValue("seqs", MessageNeighbours.VectorsAround(before, after, seq).ToArray());
        await drop.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Whether a current session message's text (content or title) differs from <paramref name="memory"/>'s: read before an update.</summary>
    private static async Task<bool> MessageTextChangesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Memory memory, CancellationToken cancellationToken)
    {
        if (memory.Kind != MemoryKind.Message || memory.Scope.SessionId.Length == 0) return false;
        await using var command = Command(connection, transaction, "SELECT content, title FROM memories WHERE id = @id AND tenant = @tenant");
        command.Parameters.AddWithValue("id", memory.Id);
        command.Parameters.AddWithValue("tenant", memory.Scope.Tenant);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            && (reader.GetString(0) != memory.Content || (reader.IsDBNull(1) ? null : reader.GetString(1)) != memory.Title);
    }

    private static async Task<List<(long Seq, string Content)>> SessionRowsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Memory memory, long seq, string comparison, string order, int limit, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction,
            "SELECT seq, content FROM memories WHERE tenant = @tenant AND user_id = @user_id AND agent_id = @agent_id AND project = @project " +
            "AND session_id = @session_id AND kind = 'message' AND valid_to IS NULL " +
            $"AND (valid_from, seq) {comparison} (@pivot_time, @pivot_seq) ORDER BY valid_from {order}, seq {order} LIMIT {limit}");
        var p = command.Parameters;
        p.AddWithValue("tenant", memory.Scope.Tenant);
        p.AddWithValue("user_id", memory.Scope.UserId);
        p.AddWithValue("agent_id", memory.Scope.AgentId);
        p.AddWithValue("project", memory.Scope.Project);
        p.AddWithValue("session_id", memory.Scope.SessionId);
        p.AddWithValue("pivot_time", memory.ValidFrom.ToUnixTimeMilliseconds());
        p.AddWithValue("pivot_seq", seq);
        var rows = new List<(long, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) rows.Add((reader.GetInt64(0), reader.GetString(1)));
        return rows;
    }
}
