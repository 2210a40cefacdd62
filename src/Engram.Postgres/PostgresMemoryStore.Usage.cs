using Engram.Core.Storage;

namespace Engram.Postgres;

public sealed partial class PostgresMemoryStore
{
    public Task RecordAsync(UsageRow usage, CancellationToken cancellationToken = default) =>
        ExecuteAsync(
            "INSERT INTO llm_usage AS u (day, purpose, provider, model, calls, input_tokens, output_tokens) VALUES (@day, @purpose, @provider, @model, @calls, @in, @out) " +
            "ON CONFLICT (day, purpose, provider, model) DO UPDATE SET calls = u.calls + excluded.calls, " +
            "input_tokens = u.input_tokens + excluded.input_tokens, output_tokens = u.output_tokens + excluded.output_tokens",
            p =>
            {
                p.AddWithValue("day", usage.Day);
                p.AddWithValue("purpose", usage.Purpose);
                p.AddWithValue("provider", usage.Provider);
                p.AddWithValue("model", usage.Model);
                p.AddWithValue("calls", usage.Calls);
                p.AddWithValue("in", usage.InputTokens);
                p.AddWithValue("out", usage.OutputTokens);
            }, cancellationToken);

    public Task<long> TokensOnAsync(DateOnly day, CancellationToken cancellationToken = default) =>
        ReadAsync(async connection =>
        {
            await using var command = Command(connection, null, "SELECT coalesce(sum(input_tokens + output_tokens), 0)::bigint FROM llm_usage WHERE day = @day");
            command.Parameters.AddWithValue("day", day);
            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }, cancellationToken);

    public Task<IReadOnlyList<UsageRow>> UsageSinceAsync(DateOnly day, CancellationToken cancellationToken = default) =>
        ReadAsync<IReadOnlyList<UsageRow>>(async connection =>
        {
            await using var command = Command(connection, null,
                "SELECT day, purpose, provider, model, calls, input_tokens, output_tokens FROM llm_usage WHERE day >= @day ORDER BY day DESC, purpose");
            command.Parameters.AddWithValue("day", day);
            var rows = new List<UsageRow>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new UsageRow(reader.GetFieldValue<DateOnly>(0), reader.GetString(1), reader.GetString(2),
                    reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6)));
            }
            return rows;
        }, cancellationToken);
}
