using Engram.Core;
using Npgsql;

namespace Engram.Postgres;

/// <summary>
/// Applies the embedded Migrations/NNNN_name.sql scripts in order, in one transaction, recording the
/// version in engram_schema. Several servers may start on a new database at once: each takes a
/// transaction-level advisory lock (keyed by the schema) first, re-reads the version, and only the first
/// applies anything. PostgreSQL's DDL is transactional, so a failed upgrade leaves nothing half done.
/// </summary>
internal static class PostgresMigrator
{
    private static readonly (int Version, string Sql)[] Migrations = LoadMigrations();

    public static int LatestVersion => Migrations[^1].Version;

    public static async Task MigrateAsync(NpgsqlConnection connection, string location, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var schema = await ScalarAsync(connection, "SELECT current_schema()", cancellationToken) as string
            ?? throw new EngramException($"the schema named in the connection string's Search Path does not exist in {location}; create it first (CREATE SCHEMA ...)");
        await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '/engram/migrate'))", cancellationToken);
        await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS engram_schema (version integer NOT NULL)", cancellationToken);
        var version = Convert.ToInt32(await ScalarAsync(connection, "SELECT coalesce(max(version), 0) FROM engram_schema", cancellationToken),
            System.Globalization.CultureInfo.InvariantCulture);
        if (version > LatestVersion)
        {
            throw new EngramException($"the database {location} (schema {schema}) has Engram schema version {version}, newer than this Engram understands ({LatestVersion}); upgrade Engram");
        }
        foreach (var (number, sql) in Migrations)
        {
            if (number <= version) continue;
            await ExecuteAsync(connection, sql, cancellationToken);
            await ExecuteAsync(connection, $"DELETE FROM engram_schema; INSERT INTO engram_schema (version) VALUES ({number})", cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static (int, string)[] LoadMigrations()
    {
        var assembly = typeof(PostgresMigrator).Assembly;
        var list = new List<(int, string)>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)))
        {
            // Resource names look like Engram.Postgres.Migrations.0001_initial.sql
            var file = name[(name.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..];
            var number = int.Parse(file[..file.IndexOf('_', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            list.Add((number, reader.ReadToEnd()));
        }
        list.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return [.. list];
    }
}
