using System.Data.Common;
using Engram.Core.Model;
using Engram.Core.Search;
using static Engram.Core.Storage.DbParameters;

namespace Engram.Core.Storage;

/// <summary>
/// Conversation messages are indexed with the text of up to two messages either side in their session
/// (the search_context column, weighted lower), so a reply is found by the words of what it answers. When a
/// message is added, changed or removed at a point of its session, both SQL stores read here which rows
/// around that point get a new context and whose vectors held a share of the old text; each store writes
/// them in its own dialect. The statements are plain SQL both accept.
/// </summary>
public static class NeighbourRows
{
    private const int Window = 2;

    /// <summary>What changes around one point of a session.</summary>
    /// <param name="Contexts">Each row within the window of the point and its new search context (null: none).</param>
    /// <param name="VectorsAround">The rows whose vectors hold a share of the text at the point (<see cref="MessageNeighbours.VectorsAround"/>).</param>
    public sealed record Change(IReadOnlyList<KeyValuePair<long, string?>> Contexts, IReadOnlyList<long> VectorsAround);

    /// <summary>Whether <paramref name="memory"/> takes part: a message of a session.</summary>
    public static bool Applies(Memory memory) => memory.Kind == MemoryKind.Message && memory.Scope.SessionId.Length > 0;

    /// <summary>
    /// Reads the session around the point (<paramref name="seq"/>, where <paramref name="memory"/> is or was);
    /// <paramref name="newCommand"/> makes a command with this text on the store's connection and transaction.
    /// </summary>
    public static async Task<Change> AroundAsync(Func<string, DbCommand> newCommand, Memory memory, long seq, CancellationToken cancellationToken)
    {
        var before = await SessionRowsAsync(newCommand, memory, seq, "<", "DESC", 2 * Window, cancellationToken);
        before.Reverse();
        var after = await SessionRowsAsync(newCommand, memory, seq, ">=", "ASC", 2 * Window + 1, cancellationToken);
        List<(long Seq, string Content)> rows = [.. before, .. after];
        var contexts = NeighbourContext.Build([.. rows.Select(r => IndexText.ForNeighbours(r.Content))], Window);

        var changed = new List<KeyValuePair<long, string?>>();
        var first = Math.Max(0, before.Count - Window);
        var last = Math.Min(rows.Count - 1, before.Count + Window);
        for (var i = first; i <= last; i++) changed.Add(new(rows[i].Seq, contexts[i]));
        return new Change(changed, [.. MessageNeighbours.VectorsAround(before, after, seq)]);
    }

    /// <summary>Whether a current session message's text (content or title) differs from <paramref name="memory"/>'s: read before an update.</summary>
    public static async Task<bool> TextChangesAsync(Func<string, DbCommand> newCommand, Memory memory, CancellationToken cancellationToken)
    {
        if (!Applies(memory)) return false;
        await using var command = newCommand("SELECT content, title FROM memories WHERE id = @id AND tenant = @tenant");
        Add(command, "@id", memory.Id);
        Add(command, "@tenant", memory.Scope.Tenant);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            && (reader.GetString(0) != memory.Content || (reader.IsDBNull(1) ? null : reader.GetString(1)) != memory.Title);
    }

    private static async Task<List<(long Seq, string Content)>> SessionRowsAsync(
        Func<string, DbCommand> newCommand, Memory memory, long seq, string comparison, string order, int limit, CancellationToken cancellationToken)
    {
        await using var command = newCommand(
            "SELECT seq, content FROM memories WHERE tenant = @tenant AND user_id = @user_id AND agent_id = @agent_id AND project = @project " +
            "AND session_id = @session_id AND kind = 'message' AND valid_to IS NULL " +
            $"AND (valid_from, seq) {comparison} (@pivot_time, @pivot_seq) ORDER BY valid_from {order}, seq {order} LIMIT {limit}");
        Add(command, "@tenant", memory.Scope.Tenant);
        Add(command, "@user_id", memory.Scope.UserId);
        Add(command, "@agent_id", memory.Scope.AgentId);
        Add(command, "@project", memory.Scope.Project);
        Add(command, "@session_id", memory.Scope.SessionId);
        Add(command, "@pivot_time", memory.ValidFrom.ToUnixTimeMilliseconds());
        Add(command, "@pivot_seq", seq);
        var rows = new List<(long, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) rows.Add((reader.GetInt64(0), reader.GetString(1)));
        return rows;
    }
}
