using Engram.Core.Storage;
using Npgsql;

namespace Engram.Postgres;

/// <summary>
/// The change feed: history rows in position order. Every history write holds the history lock until it
/// commits, so positions become visible in order and a reader that has seen position N has seen every
/// change below it. Each commit that writes history also sends NOTIFY engram_changes with its schema's name,
/// which wakes the readers of every server on that schema at once instead of at their next poll.
/// </summary>
public sealed partial class PostgresMemoryStore
{
    private readonly SemaphoreSlim _listenGate = new(1, 1);
    private NpgsqlConnection? _listener;
    private string _listenSchema = "";
    // Set by the listener's notification handler when a notice for this store's schema arrives (or one without a
    // schema, from a server before migration 0005); taken by the next wait.
    private volatile bool _noticed;

    public Task<IReadOnlyList<ChangeRecord>> ReadChangesAsync(long afterSeq, int max, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<ChangeRecord>>(async connection =>
        {
            await using var command = Command(connection, null,
                $"SELECT {MemoryRows.HistoryColumns}, h.seq FROM history h WHERE h.seq > @after ORDER BY h.seq LIMIT @max");
            command.Parameters.AddWithValue("after", afterSeq);
            command.Parameters.AddWithValue("max", max);
            var changes = new List<ChangeRecord>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                changes.Add(new ChangeRecord(reader.GetInt64(MemoryRows.HistoryColumnCount), MemoryRows.ReadHistory(reader)));
            }
            return changes;
        }, cancellationToken);

    public Task<IReadOnlyList<string>> ListTenantsAsync(CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<string>>(async connection =>
        {
            await using var command = Command(connection, null, "SELECT tenant FROM memories UNION SELECT tenant FROM history ORDER BY 1 COLLATE \"C\"");
            var tenants = new List<string>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) tenants.Add(reader.GetString(0));
            return tenants;
        }, cancellationToken);

    public Task<long> LatestChangeSeqAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(async connection =>
        {
            await using var command = Command(connection, null, "SELECT coalesce(max(seq), 0) FROM history");
            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    /// <summary>
    /// Waits for a NOTIFY from any server's commit, at most <paramref name="timeout"/>. The listening
    /// connection stays open between calls, so a notification sent while nobody waits is read by the next
    /// call. A lost connection is reopened by the next call; meanwhile this just waits (the reader polls).
    /// </summary>
    public async Task<bool> WaitForChangesAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        await _listenGate.WaitAsync(cancellationToken);
        try
        {
            if (_listener is null)
            {
                try
                {
                    var connection = await OpenAsync(cancellationToken);
                    await using (var schema = Command(connection, null, "SELECT current_schema()"))
                    {
                        _listenSchema = (string?)await schema.ExecuteScalarAsync(cancellationToken) ?? "";
                    }
                    connection.Notification += (_, notice) =>
                    {
                        if (notice.Payload.Length == 0 || notice.Payload == _listenSchema) _noticed = true;
                    };
                    await using (var listen = Command(connection, null, "LISTEN engram_changes"))
                    {
                        await listen.ExecuteNonQueryAsync(cancellationToken);
                    }
                    _listener = connection;
                }
                catch (Exception ex) when (ex is NpgsqlException or Engram.Core.EngramException)
                {
                    await Task.Delay(timeout, _time, cancellationToken);
                    return false;
                }
            }
            try
            {
                // Other schemas' notices wake the connection too: wait on until one is ours or the time is up.
                var started = _time.GetTimestamp();
                while (!_noticed)
                {
                    var left = timeout - _time.GetElapsedTime(started);
                    if (left <= TimeSpan.Zero || !await _listener.WaitAsync(left, cancellationToken)) break;
                }
                var noticed = _noticed;
                _noticed = false;
                return noticed;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or ObjectDisposedException or OperationCanceledException)
            {
                // A cancelled wait leaves the connection unusable: start again with a fresh one.
                var cancelled = ex is OperationCanceledException;
                await _listener.DisposeAsync();
                _listener = null;
                if (cancelled) throw;
                return false;
            }
        }
        finally
        {
            _listenGate.Release();
        }
    }

    private async Task StopListeningAsync()
    {
        await _listenGate.WaitAsync();
        try
        {
            if (_listener is not null) await _listener.DisposeAsync();
            _listener = null;
        }
        finally
        {
            _listenGate.Release();
        }
    }
}
