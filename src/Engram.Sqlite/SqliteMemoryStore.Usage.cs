using System.Globalization;
using Engram.Core.Storage;

namespace Engram.Sqlite;

public sealed partial class SqliteMemoryStore : IUsageLedger
{
    public Task RecordAsync(UsageRow usage, CancellationToken cancellationToken = default) =>
        WriteAsync(async (connection, transaction) =>
        {
            using var command = Command(connection, transaction,
                "INSERT INTO llm_usage (day, purpose, provider, model, calls, input_tokens, output_tokens) VALUES (@day, @purpose, @provider, @model, @calls, @in, @out) " +
                "ON CONFLICT (day, purpose, provider, model) DO UPDATE SET calls = calls + excluded.calls, " +
                "input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens");
            command.Parameters.AddWithValue("@day", usage.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            command.Parameters.AddWithValue("@purpose", usage.Purpose);
            command.Parameters.AddWithValue("@provider", usage.Provider);
            command.Parameters.AddWithValue("@model", usage.Model);
            command.Parameters.AddWithValue("@calls", usage.Calls);
            command.Parameters.AddWithValue("@in", usage.InputTokens);
            command.Parameters.AddWithValue("@out", usage.OutputTokens);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<long> TokensOnAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(sum(input_tokens + output_tokens), 0) FROM llm_usage WHERE day = @day";
        command.Parameters.AddWithValue("@day", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<IReadOnlyList<UsageRow>> UsageSinceAsync(DateOnly day, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT day, purpose, provider, model, calls, input_tokens, output_tokens FROM llm_usage WHERE day >= @day ORDER BY day DESC, purpose";
        command.Parameters.AddWithValue("@day", day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var rows = new List<UsageRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new UsageRow(DateOnly.ParseExact(reader.GetString(0), "yyyy-MM-dd", CultureInfo.InvariantCulture), reader.GetString(1), reader.GetString(2),
                reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6)));
        }
        return rows;
    }
}
