using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Testing;
using Npgsql;

namespace Engram.Postgres.Tests;

/// <summary>What only the PostgreSQL store has: migrations raced by several servers, NOTIFY wake-ups, error messages.</summary>
public sealed class PostgresStoreTests : IAsyncLifetime
{
    private string _connection = "";

    public async ValueTask InitializeAsync() => _connection = await TestPostgres.NewSchemaAsync();

    public async ValueTask DisposeAsync() => await TestPostgres.DropSchemaAsync(_connection);

    [Fact]
    public async Task Several_servers_starting_on_a_new_database_at_once_migrate_it_once()
    {
        var stores = Enumerable.Range(0, 6).Select(_ => new PostgresMemoryStore(_connection)).ToList();
        try
        {
            await Task.WhenAll(stores.Select(s => s.InitializeAsync()));
            await using var connection = new NpgsqlConnection(_connection);
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new NpgsqlCommand("SELECT count(*), max(version) FROM engram_schema", connection);
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            await reader.ReadAsync(TestContext.Current.CancellationToken);
            Assert.Equal(1, reader.GetInt64(0));
            Assert.Equal(LatestMigration(), reader.GetInt32(1));
            var (memory, inserted) = await stores[3].InsertAsync(NewMemory("hello"), NewHistory("hello"), TestContext.Current.CancellationToken);
            Assert.True(inserted);
            Assert.Equal(memory.Id, (await stores[5].GetAsync("default", memory.Id, TestContext.Current.CancellationToken))?.Id);
        }
        finally
        {
            foreach (var store in stores) await store.DisposeAsync();
        }
    }

    /// <summary>The number of the last migration script the store carries (Migrations/NNNN_name.sql).</summary>
    private static int LatestMigration() => typeof(PostgresMemoryStore).Assembly.GetManifestResourceNames()
        .Where(n => n.Contains(".Migrations.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
        .Select(n => int.Parse(n[(n.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..].Split('_')[0], System.Globalization.CultureInfo.InvariantCulture))
        .Max();

    [Fact]
    public async Task A_commit_through_another_server_wakes_a_waiting_change_feed()
    {
        await using var a = new PostgresMemoryStore(_connection);
        await using var c = new PostgresMemoryStore(_connection);
        await a.InitializeAsync(TestContext.Current.CancellationToken);
        // Nothing happened: the wait ends at its timeout, unwoken (this also starts listening).
        Assert.False(await a.WaitForChangesAsync(TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken));
        var waiting = a.WaitForChangesAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);
        await new MemoryService(c).AddAsync(new AddMemoryRequest { Content = "added through server C" }, TestContext.Current.CancellationToken);
        Assert.True(await waiting, "the NOTIFY of server C's commit should end the wait long before its timeout");
        var change = Assert.Single(await a.ReadChangesAsync(0, 10, TestContext.Current.CancellationToken));
        Assert.Equal(HistoryEvent.Add, change.Entry.Event);
    }

    [Fact]
    public async Task A_schema_newer_than_this_engram_is_refused_with_a_clear_message()
    {
        await using (var store = new PostgresMemoryStore(_connection)) await store.InitializeAsync(TestContext.Current.CancellationToken);
        await using (var connection = new NpgsqlConnection(_connection))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var command = new NpgsqlCommand("UPDATE engram_schema SET version = 99", connection);
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
        await using var newer = new PostgresMemoryStore(_connection);
        var error = await Assert.ThrowsAsync<EngramException>(() => newer.InitializeAsync(TestContext.Current.CancellationToken));
        Assert.Contains("schema version 99, newer than this Engram understands", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Host=127.0.0.1;Port=1;Username=u;Password=secret-pw;Timeout=3", "could not reach PostgreSQL at postgres://127.0.0.1:1")]
    [InlineData("not a connection string", "not a valid PostgreSQL connection string")]
    [InlineData("Database=engram", "names no Host")]
    public async Task Bad_connections_fail_with_a_message_that_names_the_problem_and_not_the_password(string connection, string expected)
    {
        var error = await Assert.ThrowsAsync<EngramException>(async () =>
        {
            await using var store = new PostgresMemoryStore(connection);
            await store.InitializeAsync(TestContext.Current.CancellationToken);
        });
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-pw", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_says_the_login_was_refused()
    {
        var wrong = new NpgsqlConnectionStringBuilder(_connection) { Password = "not-the-password" }.ConnectionString;
        await using var store = new PostgresMemoryStore(wrong);
        var error = await Assert.ThrowsAsync<EngramException>(() => store.InitializeAsync(TestContext.Current.CancellationToken));
        Assert.Contains("refused the login", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", error.Message, StringComparison.Ordinal);
    }

    private static Memory NewMemory(string text) => new()
    {
        Id = MemoryId.System.Next(),
        Kind = MemoryKind.Fact,
        Content = text,
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
        ValidFrom = DateTimeOffset.UnixEpoch,
        ContentHash = ContentHash.Compute(MemoryKind.Fact, text),
    };

    private static HistoryEntry NewHistory(string text) => new()
    {
        Id = MemoryId.System.Next(),
        MemoryId = "m",
        Event = HistoryEvent.Add,
        Actor = "test",
        At = DateTimeOffset.UnixEpoch,
        NewValue = text,
    };
}
