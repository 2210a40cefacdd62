using System.Reflection;
using Engram.Core;
using Microsoft.Data.Sqlite;

namespace Engram.Sqlite;

/// <summary>
/// Applies the embedded Migrations/NNNN_name.sql scripts in order, tracking the schema version in
/// PRAGMA user_version. Several processes may start on a new file at once: each takes the write
/// lock, re-reads the version, and only the first applies anything.
/// </summary>
internal static class SqliteMigrator
{
    private static readonly (int Version, string Sql)[] Migrations = LoadMigrations();

    public static int LatestVersion => Migrations[^1].Version;

    public static async Task MigrateAsync(SqliteConnection connection, string path, CancellationToken cancellationToken)
    {
        try
        {
            var version = await ReadVersionAsync(connection, cancellationToken);
            if (version == LatestVersion) return;
            if (version > LatestVersion)
            {
                throw new EngramException($"the database {path} has schema version {version}, newer than this Engram understands ({LatestVersion}); upgrade Engram");
            }

            await ExecuteAsync(connection, "PRAGMA journal_mode = WAL;", cancellationToken);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            version = await ReadVersionAsync(connection, cancellationToken);
            foreach (var (number, sql) in Migrations)
            {
                if (number <= version) continue;
                await ExecuteAsync(connection, sql, cancellationToken);
                await ExecuteAsync(connection, $"PRAGMA user_version = {number};", cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        catch (SqliteException ex)
        {
            throw SqliteErrors.Translate(ex, path);
        }
    }

    private static async Task<long> ReadVersionAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version;";
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static (int, string)[] LoadMigrations()
    {
        var assembly = typeof(SqliteMigrator).Assembly;
        var list = new List<(int, string)>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)))
        {
            // Resource names look like Engram.Sqlite.Migrations.0001_initial.sql
            var file = name[(name.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..];
            var number = int.Parse(file[..file.IndexOf('_', StringComparison.Ordinal)]);
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            list.Add((number, reader.ReadToEnd()));
        }
        list.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return [.. list];
    }
}
