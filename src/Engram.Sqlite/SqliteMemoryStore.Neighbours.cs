using Engram.Core.Model;
using Engram.Core.Search;
using Microsoft.Data.Sqlite;

namespace Engram.Sqlite;

public sealed partial class SqliteMemoryStore
{
    private const int NeighbourWindow = 2;

    /// <summary>
    /// Conversation messages are indexed with the text of up to two messages either side in their session
    /// (the search_context column, weighted lower), so a reply is found by the words of what it answers.
    /// After a message is added, changed or removed at a point of its session, the rows within the window
    /// of that point are rebuilt, so removed text never lingers in a neighbour's index. With
    /// <paramref name="textGone"/> (a message deleted, or its text changed) the vectors of the messages either
    /// side, and its own, are dropped and wait for the worker: a neighbour-blended vector
    /// (Search:NeighbourVectorShare) holds a share of the old text until it is made again.
    /// </summary>
    private static async Task RefreshNeighboursAsync(SqliteConnection connection, SqliteTransaction transaction, Memory memory, long seq, CancellationToken cancellationToken,
        bool textGone = false)
    {
        if (memory.Kind != MemoryKind.Message || memory.Scope.SessionId.Length == 0) return;
        var before = await SessionRowsAsync(connection, transaction, memory, seq, "<", "DESC", 2 * NeighbourWindow, cancellationToken);
        before.Reverse();
        var after = await SessionRowsAsync(connection, transaction, memory, seq, ">=", "ASC", 2 * NeighbourWindow + 1, cancellationToken);
        var rows = before.Concat(after).ToList();
        var contexts = NeighbourContext.Build(rows.Select(r => IndexText.ForNeighbours(r.Content)).ToList(), NeighbourWindow);

        using var update = Command(connection, transaction, "UPDATE memories SET search_context = @context WHERE seq = @seq AND search_context IS NOT @context");
        var context = update.Parameters.Add("@context", SqliteType.Text);
        var target = update.Parameters.Add("@seq", SqliteType.Integer);
        var first = Math.Max(0, before.Count - NeighbourWindow);
        var last = Math.Min(rows.Count - 1, before.Count + NeighbourWindow);
        for (var i = first; i <= last; i++)
        {
            context.Value = (object?)contexts[i] ?? DBNull.Value;
            target.Value = rows[i].Seq;
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        if (textGone) await DropVectorsAsync(connection, transaction, MessageNeighbours.VectorsAround(before, after, seq), cancellationToken);
    }

    /// <summary>Removes the vectors of these rows and marks them pending, so the worker embeds them again.</summary>
    private static async Task DropVectorsAsync(SqliteConnection connection, SqliteTransaction transaction, IEnumerable<long> seqs, CancellationToken cancellationToken)
    {
        using var drop = Command(connection, transaction, "DELETE FROM embeddings WHERE memory_seq = @seq");
        using var pending = Command(connection, transaction, "UPDATE memories SET vector_pending = 1 WHERE seq = @seq");
        var dropSeq = drop.Parameters.Add("@seq", SqliteType.Integer);
        var pendingSeq = pending.Parameters.Add("@seq", SqliteType.Integer);
        foreach (var seq in seqs)
        {
            dropSeq.Value = pendingSeq.Value = seq;
            await drop.ExecuteNonQueryAsync(cancellationToken);
            await pending.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>Whether a current session message's text (content or title) differs from <paramref name="memory"/>'s: read before an update.</summary>
    private static async Task<bool> MessageTextChangesAsync(SqliteConnection connection, SqliteTransaction transaction, Memory memory, CancellationToken cancellationToken)
    {
        if (memory.Kind != MemoryKind.Message || memory.Scope.SessionId.Length == 0) return false;
        using var command = Command(connection, transaction, "SELECT content, title FROM memories WHERE id = @id AND tenant = @tenant");
        command.Parameters.AddWithValue("@id", memory.Id);
        command.Parameters.AddWithValue("@tenant", memory.Scope.Tenant);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            && (reader.GetString(0) != memory.Content || (reader.IsDBNull(1) ? null : reader.GetString(1)) != memory.Title);
    }

    private static async Task<List<(long Seq, string Content)>> SessionRowsAsync(
        SqliteConnection connection, SqliteTransaction transaction, Memory memory, long seq, string comparison, string order, int limit, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction,
            "SELECT seq, content FROM memories WHERE tenant = @tenant AND user_id = @user_id AND agent_id = @agent_id AND project = @project " +
            "AND session_id = @session_id AND kind = 'message' AND valid_to IS NULL " +
            $"AND (valid_from, seq) {comparison} (@pivot_time, @pivot_seq) ORDER BY valid_from {order}, seq {order} LIMIT {limit}");
        var p = command.Parameters;
        p.AddWithValue("@tenant", memory.Scope.Tenant);
        p.AddWithValue("@user_id", memory.Scope.UserId);
        p.AddWithValue("@agent_id", memory.Scope.AgentId);
        p.AddWithValue("@project", memory.Scope.Project);
        p.AddWithValue("@session_id", memory.Scope.SessionId);
        p.AddWithValue("@pivot_time", memory.ValidFrom.ToUnixTimeMilliseconds());
        p.AddWithValue("@pivot_seq", seq);
        var rows = new List<(long, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) rows.Add((reader.GetInt64(0), reader.GetString(1)));
        return rows;
    }

    private static async Task<long> SeqOfAsync(SqliteConnection connection, SqliteTransaction transaction, string id, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, "SELECT seq FROM memories WHERE id = @id");
        command.Parameters.AddWithValue("@id", id);
        return await command.ExecuteScalarAsync(cancellationToken) is long seq ? seq : -1;
    }
}
