using Engram.Core.Storage;
using Npgsql;

namespace Engram.Postgres;

public sealed partial class PostgresMemoryStore
{
    public Task<bool> EnqueueAsync(QueuedEvent queuedEvent, CancellationToken cancellationToken = default) =>
        InsertAsync(queuedEvent, null, cancellationToken);

    public Task<bool> QuarantineAsync(QueuedEvent queuedEvent, string reason, CancellationToken cancellationToken = default) =>
        InsertAsync(queuedEvent, reason, cancellationToken);

    /// <summary>Adds an event, pending, or already set aside when there is a reason it cannot be processed.</summary>
    private Task<bool> InsertAsync(QueuedEvent queuedEvent, string? setAsideBecause, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction,
                "INSERT INTO queue (tenant, kind, dedupe_key, payload, enqueued_at, session_key, state, attempts, last_error) " +
                "VALUES (@tenant, @kind, @key, @payload, @at, @session, @state, @attempts, @error) ON CONFLICT (dedupe_key) DO NOTHING");
            PostgresRows.Text(command.Parameters, "session", queuedEvent.SessionKey);
            command.Parameters.AddWithValue("tenant", queuedEvent.Tenant);
            command.Parameters.AddWithValue("kind", queuedEvent.Kind);
            PostgresRows.Text(command.Parameters, "key", queuedEvent.DedupeKey);
            command.Parameters.AddWithValue("payload", PostgresRows.Clean(queuedEvent.Payload));
            command.Parameters.AddWithValue("at", queuedEvent.EnqueuedAt == default ? NowMs() : queuedEvent.EnqueuedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("state", setAsideBecause is null ? "pending" : "failed");
            command.Parameters.AddWithValue("attempts", setAsideBecause is null ? 0 : 1);
            PostgresRows.Text(command.Parameters, "error", setAsideBecause);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken, history: false);

    public Task<IReadOnlyList<QueuedEvent>> ListFailedAsync(int limit, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<QueuedEvent>>(async connection =>
        {
            await using var command = Command(connection, null, $"SELECT {QueueRows.Columns} FROM queue WHERE state = 'failed' ORDER BY seq DESC LIMIT @limit");
            command.Parameters.AddWithValue("limit", limit);
            var events = new List<QueuedEvent>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) events.Add(QueueRows.ReadEvent(reader));
            return events;
        }, cancellationToken);

    public Task<int> RetryFailedAsync(CancellationToken cancellationToken = default) =>
        ExecuteAsync("UPDATE queue SET state = 'pending', attempts = 0, claimed_by = NULL, claimed_until = NULL WHERE state = 'failed'", _ => { }, cancellationToken);

    /// <summary>
    /// Leases the oldest pending events whose lease is free or ran out. SKIP LOCKED lets workers on other
    /// servers claim at the same moment without waiting on, or taking, each other's rows.
    /// </summary>
    public Task<IReadOnlyList<QueuedEvent>> ClaimAsync(int max, TimeSpan lease, string worker, CancellationToken cancellationToken = default) =>
        WriteAsync<IReadOnlyList<QueuedEvent>>(async (connection, transaction) =>
        {
            var now = NowMs();
            await using var command = Command(connection, transaction,
                "UPDATE queue q SET claimed_by = @worker, claimed_until = @until FROM (" +
                "SELECT seq FROM queue WHERE state = 'pending' AND (claimed_until IS NULL OR claimed_until < @now) " +
                "ORDER BY seq LIMIT @max FOR UPDATE SKIP LOCKED) c WHERE q.seq = c.seq " +
                $"RETURNING {string.Join(", ", QueueRows.Columns.Split(", ").Select(c => "q." + c))}");
            command.Parameters.AddWithValue("worker", worker);
            command.Parameters.AddWithValue("until", now + (long)lease.TotalMilliseconds);
            command.Parameters.AddWithValue("now", now);
            command.Parameters.AddWithValue("max", max);
            var claimed = new List<QueuedEvent>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) claimed.Add(QueueRows.ReadEvent(reader));
            claimed.Sort((a, b) => a.Seq.CompareTo(b.Seq));
            return claimed;
        }, cancellationToken, history: false);

    public Task CompleteAsync(long seq, CancellationToken cancellationToken = default) =>
        ExecuteAsync("UPDATE queue SET state = 'done', claimed_by = NULL, claimed_until = NULL WHERE seq = @seq",
            p => p.AddWithValue("seq", seq), cancellationToken);

    public Task FailAsync(long seq, string error, int maxAttempts, CancellationToken cancellationToken = default) =>
        ExecuteAsync(
            "UPDATE queue SET attempts = attempts + 1, last_error = @error, claimed_by = NULL, claimed_until = NULL, " +
            "state = CASE WHEN attempts + 1 >= @max THEN 'failed' ELSE 'pending' END WHERE seq = @seq",
            p =>
            {
                p.AddWithValue("seq", seq);
                p.AddWithValue("error", PostgresRows.Clean(error));
                p.AddWithValue("max", maxAttempts);
            }, cancellationToken);

    public Task<IReadOnlyList<QueuedEvent>> ListSessionAsync(string sessionKey, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<QueuedEvent>>(async connection =>
        {
            await using var command = Command(connection, null, $"SELECT {QueueRows.Columns} FROM queue WHERE session_key = @session ORDER BY seq");
            command.Parameters.AddWithValue("session", sessionKey);
            var events = new List<QueuedEvent>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) events.Add(QueueRows.ReadEvent(reader));
            return events;
        }, cancellationToken);

    public Task<IReadOnlyList<string>> ListClaimantsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<string>>(async connection =>
        {
            await using var command = Command(connection, null,
                "SELECT DISTINCT claimed_by FROM queue WHERE state = 'pending' AND claimed_by IS NOT NULL AND claimed_until >= @now");
            command.Parameters.AddWithValue("now", NowMs());
            var workers = new List<string>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) workers.Add(reader.GetString(0));
            return workers;
        }, cancellationToken);

    public async Task<int> ReleaseClaimsAsync(string worker, CancellationToken cancellationToken = default) =>
        await ExecuteAsync("UPDATE queue SET claimed_by = NULL, claimed_until = NULL WHERE state = 'pending' AND claimed_by = @worker",
            p => p.AddWithValue("worker", worker), cancellationToken);

    public Task<(long Pending, long Failed)> CountAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(async connection =>
        {
            await using var command = Command(connection, null,
                "SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'failed') FROM queue");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return (reader.GetInt64(0), reader.GetInt64(1));
        }, cancellationToken);

    /// <summary>One statement on its own (autocommit). Returns the rows it touched.</summary>
    private Task<int> ExecuteAsync(string sql, Action<NpgsqlParameterCollection> bind, CancellationToken cancellationToken) =>
        ReadAsync(async connection =>
        {
            await using var command = Command(connection, null, sql);
            bind(command.Parameters);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
}
