using Npgsql;

namespace Engram.Testing;

/// <summary>
/// The PostgreSQL server the tests use: the connection string in ENGRAM_TEST_POSTGRES (./test.sh starts a
/// throwaway server and sets it). Each store gets its own fresh schema, dropped afterwards. Without the
/// variable the PostgreSQL tests fail with a message saying how to run them: they never pass by skipping.
/// </summary>
public static class TestPostgres
{
    public const string Variable = "ENGRAM_TEST_POSTGRES";

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set: the PostgreSQL tests need a server. Run ./test.sh (it starts a throwaway PostgreSQL), " +
                $"or set {Variable} to a connection string whose user may create schemas" +
                (Environment.GetEnvironmentVariable("CI") == "true" ? " (CI=true: these tests must run)" : ""));

    /// <summary>Creates an empty schema and returns a connection string that works in it.</summary>
    public static async Task<string> NewSchemaAsync()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(ServerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(ServerConnectionString) { SearchPath = schema }.ConnectionString;
    }

    /// <summary>Drops the schema a connection string from <see cref="NewSchemaAsync"/> works in.</summary>
    public static async Task DropSchemaAsync(string connectionString)
    {
        var schema = new NpgsqlConnectionStringBuilder(connectionString).SearchPath;
        if (string.IsNullOrEmpty(schema) || !schema.StartsWith("t_", StringComparison.Ordinal)) return;
        await using var connection = new NpgsqlConnection(ServerConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }
}
