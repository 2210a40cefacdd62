using Engram.Core.Model;
using Engram.Core.Storage;
using Npgsql;

namespace Engram.Postgres;

public sealed partial class PostgresMemoryStore
{
    /// <summary>
    /// Rewrites the search context of the session messages around a point (<see cref="NeighbourRows"/>). With
    /// <paramref name="textGone"/> (a message deleted, or its text changed) the vectors holding a share of the
    /// old text are dropped: a memory without a vector is what the worker embeds next (ListMissingEmbeddingsAsync).
    /// </summary>
    private static async Task RefreshNeighboursAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Memory memory, long seq, CancellationToken cancellationToken,
        bool textGone = false)
    {
        if (!NeighbourRows.Applies(memory)) return;
        var change = await NeighbourRows.AroundAsync(sql => Command(connection, transaction, sql), memory, seq, cancellationToken);
        foreach (var (rowSeq, context) in change.Contexts)
        {
            await using var update = Command(connection, transaction,
                "UPDATE memories SET search_context = @context WHERE seq = @seq AND search_context IS DISTINCT FROM @context");
            PostgresRows.Text(update.Parameters, "context", context);
            update.Parameters.AddWithValue("seq", rowSeq);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        if (!textGone) return;
        await using var drop = Command(connection, transaction, "DELETE FROM embeddings WHERE memory_seq = ANY(@seqs)");
        drop.Parameters.AddWithValue("seqs", change.VectorsAround.ToArray());
        await drop.ExecuteNonQueryAsync(cancellationToken);
    }

    private static Task<bool> MessageTextChangesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Memory memory, CancellationToken cancellationToken) =>
        NeighbourRows.TextChangesAsync(sql => Command(connection, transaction, sql), memory, cancellationToken);
}
