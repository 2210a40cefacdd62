using System.Text.Json;
using Engram.Testing;

namespace Engram.Cli.Tests;

/// <summary>
/// The CLI on PostgreSQL (a fresh schema of the test server in ENGRAM_TEST_POSTGRES): moving a SQLite
/// store there with engram migrate, and using it with Storage:Provider=postgres.
/// </summary>
public sealed class PostgresCliTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly EngramProcess _sqlite;
    private readonly EngramProcess _postgres;
    private string _connection = "";

    public PostgresCliTests()
    {
        _sqlite = new EngramProcess(_folder.File("laptop"));
        _postgres = new EngramProcess(_folder.File("server"));
    }

    public async ValueTask InitializeAsync()
    {
        _connection = await TestPostgres.NewSchemaAsync();
        _postgres.Environment["ENGRAM_STORAGE__PROVIDER"] = "postgres";
        _postgres.Environment["ENGRAM_STORAGE__CONNECTIONSTRING"] = _connection;
    }

    // xunit.v3 calls DisposeAsync alone when a class has both, so the folder goes here too.
    public async ValueTask DisposeAsync()
    {
        await TestPostgres.DropSchemaAsync(_connection);
        _folder.Dispose();
    }

    [Fact]
    public async Task Migrate_copies_a_sqlite_store_with_history_losslessly_and_twice_changes_nothing()
    {
        var port = await _sqlite.AddAsync("The staging database runs PostgreSQL 16 on port 6543", "--user", "alice", "--project", "github.com/acme/app");
        await _sqlite.AddAsync("Alice's favourite editor is Helix", "--user", "alice", "--meta", "source=chat");
        var gone = await _sqlite.AddAsync("The old CI runner lives on build-7", "--user", "bob");
        await _sqlite.AddAsync("Globex deploys on Fridays", "--tenant", "globex", "--user", "carol");
        Assert.Equal(0, (await _sqlite.RunAsync("update", port, "The staging database runs PostgreSQL 17 on port 6543", "--reason", "upgraded")).ExitCode);
        Assert.Equal(0, (await _sqlite.RunAsync("delete", gone, "--reason", "decommissioned")).ExitCode);

        var migrated = await _sqlite.JsonAsync("migrate", "--to", "postgres", "--connection", _connection);
        Assert.Equal(2, migrated.GetProperty("tenants").GetInt32());
        Assert.Equal(3, migrated.GetProperty("added").GetInt32());
        var again = await _sqlite.JsonAsync("migrate", "--to", "postgres", "--connection", _connection);
        Assert.Equal(0, again.GetProperty("added").GetInt32());
        Assert.Equal(3, again.GetProperty("already_present").GetInt32());

        // Lossless: both stores export the same lines (memories with every field and history, deleted ones' history).
        foreach (var tenant in new[] { "default", "globex" })
        {
            var fromSqlite = await _sqlite.RunAsync("export", "--tenant", tenant);
            var fromPostgres = await _postgres.RunAsync("export", "--tenant", tenant);
            Assert.Equal(0, fromPostgres.ExitCode);
            Assert.NotEmpty(fromSqlite.Stdout.Trim());
            Assert.Equal(fromSqlite.Stdout, fromPostgres.Stdout);
        }
        var history = (await _postgres.JsonAsync("history", port)).GetProperty("results");
        Assert.Equal(["ADD", "UPDATE"], history.EnumerateArray().Select(h => h.GetProperty("event").GetString()));
        var deleted = await _postgres.RunAsync("get", gone);
        Assert.Equal(1, deleted.ExitCode);
        Assert.Contains("deleted", deleted.Stderr, StringComparison.Ordinal);
        var hits = (await _postgres.JsonAsync("search", "which port does the staging db listen on", "--user", "alice")).GetProperty("results");
        Assert.Equal(port, hits[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Bad_migrate_arguments_and_an_unreachable_server_give_one_line_errors()
    {
        var noTarget = await _sqlite.RunAsync("migrate", "--connection", _connection);
        Assert.Equal(2, noTarget.ExitCode);
        Assert.Contains("--to", noTarget.Stderr, StringComparison.Ordinal);
        var badTarget = await _sqlite.RunAsync("migrate", "--to", "mysql", "--connection", "x");
        Assert.Equal(2, badTarget.ExitCode);
        var unreachable = await _sqlite.RunAsync("migrate", "--to", "postgres", "--connection", "Host=127.0.0.1;Port=1;Username=x;Password=y;Timeout=3");
        Assert.Equal(1, unreachable.ExitCode);
        Assert.Contains("could not reach PostgreSQL at postgres://127.0.0.1:1", unreachable.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", unreachable.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Password=y", unreachable.Stderr, StringComparison.Ordinal);

        _postgres.Environment["ENGRAM_STORAGE__CONNECTIONSTRING"] = null;
        var missing = await _postgres.RunAsync("list");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("Storage:ConnectionString", missing.Stderr, StringComparison.Ordinal);
    }
}
