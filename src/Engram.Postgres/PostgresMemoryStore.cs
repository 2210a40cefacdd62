using Engram.Core;
using Engram.Core.Security;
using Engram.Core.Storage;
using Npgsql;

namespace Engram.Postgres;

/// <summary>
/// The scale-out store: one PostgreSQL database shared by any number of stateless Engram servers and
/// workers. Every memory query carries the tenant. Writes that record history take one transaction-level
/// advisory lock first, so history positions (the change feed's event ids) become visible in order and a
/// reader never skips a change committed late; the queue leases work with FOR UPDATE SKIP LOCKED.
/// A "Search Path" in the connection string puts Engram's tables in that schema.
/// </summary>
public sealed partial class PostgresMemoryStore : IEngramStore, IEventQueue, IChangeFeed, IApiKeyStore, IUsageLedger
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;
    private volatile bool _initialized;

    public PostgresMemoryStore(string connectionString, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new EngramException($"Storage:ConnectionString is not a valid PostgreSQL connection string: {ex.Message}", ex);
        }
        if (string.IsNullOrEmpty(builder.Host)) throw new EngramException("Storage:ConnectionString names no Host; for example Host=db.internal;Database=engram;Username=engram");
        Location = $"postgres://{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}" + (builder.SearchPath is { Length: > 0 } path ? $" (schema {path})" : "");
        _time = time ?? TimeProvider.System;
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public string Location { get; }

    public IEventQueue Queue => this;
    public IChangeFeed Changes => this;
    public IApiKeyStore ApiKeys => this;
    public IUsageLedger Usage => this;

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_initialized) return;
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await PostgresMigrator.MigrateAsync(connection, Location, cancellationToken);
        }
        catch (NpgsqlException ex)
        {
            throw Translate(ex);
        }
        _initialized = true;
    }

    public async ValueTask DisposeAsync()
    {
        await StopListeningAsync();
        await _dataSource.DisposeAsync();
    }

    private async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_initialized) await InitializeAsync(cancellationToken);
        try
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (NpgsqlException ex)
        {
            throw Translate(ex);
        }
    }

    /// <summary>Runs a read on a pooled connection, turning database errors into messages that name the server.</summary>
    private async Task<T> ReadAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        try
        {
            return await work(connection);
        }
        catch (NpgsqlException ex)
        {
            throw Translate(ex);
        }
    }

    /// <summary>
    /// Runs work in one transaction. With <paramref name="history"/>, the history lock is taken first (before
    /// any row lock, so writers cannot deadlock on it). A deadlock or serialization failure is retried.
    /// </summary>
    private async Task<T> WriteAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken cancellationToken, bool history = true)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await OpenAsync(cancellationToken);
            try
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                if (history)
                {
                    await using var lockCommand = new NpgsqlCommand("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '/engram/history'))", connection, transaction);
                    await lockCommand.ExecuteNonQueryAsync(cancellationToken);
                }
                var result = await work(connection, transaction);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < 4)
            {
                // Another writer won; run the whole transaction again.
            }
            catch (NpgsqlException ex)
            {
                throw Translate(ex);
            }
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql) => new(sql, connection, transaction);

    private EngramException Translate(NpgsqlException ex) => ex switch
    {
        PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } =>
            new EngramException($"PostgreSQL at {Location} refused the login: {ex.Message}; check Storage:ConnectionString", ex),
        PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } =>
            new EngramException($"PostgreSQL at {Location}: the database does not exist; create it first (createdb)", ex),
        PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } denied =>
            new EngramException($"PostgreSQL at {Location}: permission denied ({denied.MessageText}); the user needs to own Engram's schema", ex),
        PostgresException pg => new EngramException($"PostgreSQL at {Location}: {pg.MessageText}", ex),
        _ => new EngramException($"could not reach PostgreSQL at {Location}: {ex.Message}", ex),
    };

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
