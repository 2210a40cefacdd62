using System.Data.Common;

namespace Engram.Core.Storage;

/// <summary>The row shape of the event queue that every SQL store shares: its columns and how a row reads back.</summary>
public static class QueueRows
{
    /// <summary>Columns of <c>queue</c> in the order <see cref="ReadEvent"/> expects.</summary>
    public const string Columns = "seq, tenant, kind, dedupe_key, payload, enqueued_at, attempts, last_error, session_key, state";

    public static QueuedEvent ReadEvent(DbDataReader reader) => new()
    {
        Seq = reader.GetInt64(0),
        Tenant = reader.GetString(1),
        Kind = reader.GetString(2),
        DedupeKey = reader.IsDBNull(3) ? null : reader.GetString(3),
        Payload = reader.GetString(4),
        EnqueuedAt = MemoryRows.Time(reader.GetInt64(5)),
        Attempts = reader.GetInt32(6),
        LastError = reader.IsDBNull(7) ? null : reader.GetString(7),
        SessionKey = reader.IsDBNull(8) ? null : reader.GetString(8),
        IsDone = reader.GetString(9) == "done",
    };
}
