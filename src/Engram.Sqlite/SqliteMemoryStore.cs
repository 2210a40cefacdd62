using Engram.Core;
using Engram.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Engram.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, shared safely by many processes (hooks of
/// parallel agent sessions, the worker, the CLI). Writers take the lock up front (BEGIN IMMEDIATE)
/// and wait for each other through the busy timeout, so callers never see "database is locked".
/// </summary>
public sealed partial class SqliteMemoryStore : IEngramStore, IEventQueue
{
    public IEventQueue Queue => this;
    public IChangeFeed Changes => this;
    public Engram.Core.Security.IApiKeyStore ApiKeys => this;
    public IUsageLedger Usage => this;

    private string _connectionString;
    private readonly TimeProvider _time;
    private volatile bool _initialized;
    private readonly SemaphoreSlim _writers = new(1, 1);

    /// <param name="path">The database file; its folder is created when missing.</param>
    /// <param name="busyTimeout">How long a writer waits for another process's lock before giving up.</param>
    public SqliteMemoryStore(string path, TimeSpan? busyTimeout = null, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        _time = time ?? TimeProvider.System;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = (int)Math.Ceiling((busyTimeout ?? TimeSpan.FromSeconds(60)).TotalSeconds),
        }.ToString();
    }

    static SqliteMemoryStore() => SQLitePCL.Batteries_V2.Init();

    /// <summary>Absolute path of the database file.</summary>
    public string Path { get; }

    public string Location => Path;

    public async Task InitializeAsync(CancellationToken cancellationToken = default)
    {
        if (_initialized) return;
        var folder = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(folder)) OwnerOnly.CreateDirectory(folder);
        if (!File.Exists(Path)) await CreateAsync(cancellationToken);
        else if (new FileInfo(Path).Length == 0 && !(new FileInfo(Path + "-wal") is { Exists: true, Length: > 0 }))
        {
            // Engram creates a database whole (see CreateAsync), so an empty file was truncated: starting
            // over in it would hide the loss.
            throw new EngramException($"the database {Path} is empty (0 bytes): it was truncated or replaced. Restore it from a backup, or move it aside to start a new store");
        }
        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm" }) OwnerOnly.Restrict(file);
        try
        {
            await using var connection = await OpenRawAsync(cancellationToken);
            await SqliteMigrator.MigrateAsync(connection, Path, cancellationToken);
        }
        catch (StoreUnavailableException) when (SqliteErrors.DiskIsFull(Path) && new FileInfo(Path + "-wal") is not { Exists: true, Length: > 0 })
        {
            // SQLite cannot create the WAL index on a full disk, so even reading fails. With an empty WAL, the
            // database file alone is the whole store: read it as immutable (no index, no locks) until space
            // returns. Writes fail with the full disk named; searches and context still answer.
            _connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = new Uri(Path).AbsoluteUri + "?immutable=1",
                Mode = SqliteOpenMode.ReadOnly,
                Pooling = false,
            }.ToString();
        }
        _initialized = true;
    }

    /// <summary>
    /// Makes a new database beside its final name, owner-only, with the schema in place, and moves it in
    /// unless another process was first. The file is never seen empty, and SQLite gives its WAL and shared
    /// memory files the same permissions.
    /// </summary>
    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        var temp = $"{Path}.new-{Environment.ProcessId}-{Guid.NewGuid():N}";
        try
        {
            File.Open(temp, OwnerOnly.NewFile()).Dispose();
            var builder = new SqliteConnectionStringBuilder(_connectionString) { DataSource = temp, Pooling = false };
            await using (var connection = new SqliteConnection(builder.ToString()))
            {
                await connection.OpenAsync(cancellationToken);
                await SqliteMigrator.MigrateAsync(connection, temp, cancellationToken);
            }
            try
            {
                File.Move(temp, Path, overwrite: false);
            }
            catch (IOException) when (File.Exists(Path))
            {
                // Another process created it first; use theirs.
            }
        }
        catch (SqliteException ex)
        {
            throw SqliteErrors.Translate(ex, Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EngramException($"could not create the database {Path}: {ex.Message}", ex);
        }
        finally
        {
            foreach (var leftover in new[] { temp, temp + "-wal", temp + "-shm", temp + "-journal" })
            {
                try
                {
                    File.Delete(leftover);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        // A background read of the lengths stops between rows, and its connection is closed before the pool is cleared.
        if (!_closing.IsCancellationRequested) await _closing.CancelAsync();
        await _readingAllLengths.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        FullTextCache.Remove(FullTextCacheId);
        // Pooled connections keep the file open; release them so the file can be moved or deleted.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    internal async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_initialized) await InitializeAsync(cancellationToken);
        return await OpenRawAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0)
            {
                // A pooled connection left inside a transaction by an earlier failure: roll it back, since a
                // PRAGMA below would fail with "Safety level may not be changed inside a transaction".
                using var reset = connection.CreateCommand();
                reset.CommandText = "ROLLBACK;";
                await reset.ExecuteNonQueryAsync(cancellationToken);
            }
            using var pragma = connection.CreateCommand();
            // synchronous=NORMAL is durable across process crashes in WAL mode; only a power cut can lose the last commits.
            // 16 MiB of pages a connection (SQLite's default is 2): a search in a large store walks doclists of tens of
            // thousands of rows, and with the default the pages one search read are gone by the next (docs/benchmarks.md).
            pragma.CommandText = "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000; PRAGMA cache_size = -16384;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch (SqliteException ex)
        {
            await connection.DisposeAsync();
            throw SqliteErrors.Translate(ex, Path);
        }
    }

    private long NowMs() => _time.GetUtcNow().ToUnixTimeMilliseconds();
}
