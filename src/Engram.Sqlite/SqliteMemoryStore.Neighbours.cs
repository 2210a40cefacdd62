using Engram.Core.Model;
using Engram.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Engram.Sqlite;

public sealed partial class SqliteMemoryStore
{
    /// <summary>
    /// Rewrites the search context of the session messages around a point (<see cref="NeighbourRows"/>), so
    /// removed text never lingers in a neighbour's index. With <paramref name="textGone"/> (a message deleted,
    /// or its text changed) the vectors of the messages either side, and its own, are dropped and wait for the
    /// worker: a neighbour-blended vector (Search:NeighbourVectorShare) holds a share of the old text until it is made again.
    /// </summary>
    private static async Task RefreshNeighboursAsync(SqliteConnection connection, SqliteTransaction transaction, Memory memory, long seq, CancellationToken cancellationToken,
        bool textGone = false)
    {
        if (!NeighbourRows.Applies(memory)) return;
        var change = await NeighbourRows.AroundAsync(sql => Command(connection, transaction, sql), memory, seq, cancellationToken);
        using var update = Command(connection, transaction, "UPDATE memories SET search_context = @context WHERE seq = @seq AND search_context IS NOT @context");
        var context = update.Parameters.Add("@context", SqliteType.Text);
        var target = update.Parameters.Add("@seq", SqliteType.Integer);
        foreach (var (rowSeq, rowContext) in change.Contexts)
        {
            context.Value = (object?)rowContext ?? DBNull.Value;
            target.Value = rowSeq;
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        if (textGone) await DropVectorsAsync(connection, transaction, change.VectorsAround, cancellationToken);
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

    private static Task<bool> MessageTextChangesAsync(SqliteConnection connection, SqliteTransaction transaction, Memory memory, CancellationToken cancellationToken) =>
        NeighbourRows.TextChangesAsync(sql => Command(connection, transaction, sql), memory, cancellationToken);

    private static async Task<long> SeqOfAsync(SqliteConnection connection, SqliteTransaction transaction, string id, CancellationToken cancellationToken)
    {
        using var command = Command(connection, transaction, "SELECT seq FROM memories WHERE id = @id");
        command.Parameters.AddWithValue("@id", id);
        return await command.ExecuteScalarAsync(cancellationToken) is long seq ? seq : -1;
    }
}
