using Engram.Core.Storage;

namespace Engram.Sqlite;

public sealed partial class SqliteMemoryStore
{
    public Task<bool> EnqueueAsync(QueuedEvent queuedEvent, CancellationToken cancellationToken = default) =>
        InsertAsync(queuedEvent, null, cancellationToken);

    public Task<bool> QuarantineAsync(QueuedEvent queuedEvent, string reason, CancellationToken cancellationToken = default) =>
        InsertAsync(queuedEvent, reason, cancellationToken);

    /// <summary>Adds an event, pending, or already set aside when there is a reason it cannot be processed.</summary>
    private Task<bool> InsertAsync(QueuedEvent queuedEvent, string? setAsideBecause, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            using var command = Command(connection, transaction,
                "INSERT OR IGNORE INTO queue (tenant, kind, dedupe_key, payload, enqueued_at, session_key, state, attempts, last_error) " +
                "VALUES (@tenant, @kind, @key, @payload, @at, @session, @state, @attempts, @error)");
            command.Parameters.AddWithValue("@session", (object?)queuedEvent.SessionKey ?? DBNull.Value);
            command.Parameters.AddWithValue("@tenant", queuedEvent.Tenant);
            command.Parameters.AddWithValue("@kind", queuedEvent.Kind);
            command.Parameters.AddWithValue("@key", (object?)queuedEvent.DedupeKey ?? DBNull.Value);
            command.Parameters.AddWithValue("@payload", queuedEvent.Payload);
            command.Parameters.AddWithValue("@at", queuedEvent.EnqueuedAt == default ? NowMs() : queuedEvent.EnqueuedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("@state", setAsideBecause is null ? "pending" : "failed");
            command.Parameters.AddWithValue("@attempts", setAsideBecause is null ? 0 : 1);
            command.Parameters.AddWithValue("@error", (object?)setAsideBecause ?? DBNull.Value);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    public async Task<IReadOnlyList<QueuedEvent>> ListFailedAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {QueueRows.Columns} FROM queue WHERE state = 'failed' ORDER BY seq DESC LIMIT @limit";
        command.Parameters.AddWithValue("@limit", limit);
        return await ReadEventsAsync(command, cancellationToken);
    }

    public Task<int> RetryFailedAsync(CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            using var command = Command(connection, transaction,
                "UPDATE queue SET state = 'pending', attempts = 0, claimed_by = NULL, claimed_until = NULL WHERE state = 'failed'");
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task<IReadOnlyList<QueuedEvent>> ClaimAsync(int max, TimeSpan lease, string worker, CancellationToken cancellationToken = default) =>
        WriteAsync<IReadOnlyList<QueuedEvent>>(async (connection, transaction) =>
        {
            var now = NowMs();
            var claimed = new List<QueuedEvent>();
            using (var select = Command(connection, transaction,
                $"SELECT {QueueRows.Columns} FROM queue " +
                "WHERE state = 'pending' AND (claimed_until IS NULL OR claimed_until < @now) ORDER BY seq LIMIT @max"))
            {
                select.Parameters.AddWithValue("@now", now);
                select.Parameters.AddWithValue("@max", max);
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken)) claimed.Add(QueueRows.ReadEvent(reader));
            }
            using var claim = Command(connection, transaction, "UPDATE queue SET claimed_by = @worker, claimed_until = @until WHERE seq = @seq");
            claim.Parameters.AddWithValue("@worker", worker);
            claim.Parameters.AddWithValue("@until", now + (long)lease.TotalMilliseconds);
            var seq = claim.Parameters.Add("@seq", Microsoft.Data.Sqlite.SqliteType.Integer);
            foreach (var e in claimed)
            {
                seq.Value = e.Seq;
                await claim.ExecuteNonQueryAsync(cancellationToken);
            }
            return claimed;
        }, cancellationToken);

    public Task CompleteAsync(long seq, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            using var command = Command(connection, transaction,
                "UPDATE queue SET state = 'done', claimed_by = NULL, claimed_until = NULL WHERE seq = @seq");
            command.Parameters.AddWithValue("@seq", seq);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public Task FailAsync(long seq, string error, int maxAttempts, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            using var command = Command(connection, transaction,
                "UPDATE queue SET attempts = attempts + 1, last_error = @error, claimed_by = NULL, claimed_until = NULL, " +
                "state = CASE WHEN attempts + 1 >= @max THEN 'failed' ELSE 'pending' END WHERE seq = @seq");
            command.Parameters.AddWithValue("@seq", seq);
            command.Parameters.AddWithValue("@error", error);
            command.Parameters.AddWithValue("@max", maxAttempts);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<IReadOnlyList<QueuedEvent>> ListSessionAsync(string sessionKey, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {QueueRows.Columns} FROM queue WHERE session_key = @session ORDER BY seq";
        command.Parameters.AddWithValue("@session", sessionKey);
        return await ReadEventsAsync(command, cancellationToken);
    }

    private static async Task<IReadOnlyList<QueuedEvent>> ReadEventsAsync(Microsoft.Data.Sqlite.SqliteCommand command, CancellationToken cancellationToken)
    {
        var events = new List<QueuedEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) events.Add(QueueRows.ReadEvent(reader));
        return events;
    }

    public async Task<IReadOnlyList<string>> ListClaimantsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT claimed_by FROM queue WHERE state = 'pending' AND claimed_by IS NOT NULL AND claimed_until >= @now";
        command.Parameters.AddWithValue("@now", NowMs());
        var workers = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) workers.Add(reader.GetString(0));
        return workers;
    }

    public Task<int> ReleaseClaimsAsync(string worker, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            using var command = Command(connection, transaction,
                "UPDATE queue SET claimed_by = NULL, claimed_until = NULL WHERE state = 'pending' AND claimed_by = @worker");
            command.Parameters.AddWithValue("@worker", worker);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<(long Pending, long Failed)> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(sum(state = 'pending'), 0), coalesce(sum(state = 'failed'), 0) FROM queue";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetInt64(1));
    }
}
