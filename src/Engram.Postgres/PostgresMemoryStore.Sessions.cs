using Engram.Core.Model;
using Engram.Core.Storage;

namespace Engram.Postgres;

public sealed partial class PostgresMemoryStore
{
    public async Task<IReadOnlyList<SessionDigest>> ListSessionsAsync(MemoryFilter filter, int count, bool oldestFirst, CancellationToken cancellationToken = default)
    {
        List<SessionGroup> groups;
        await using (var connection = await OpenAsync(cancellationToken))
        {
            await using var command = Command(connection, null, "");
            command.CommandText = SessionGroups.Sql(PgFilter.Where(filter, command), oldestFirst, greatest: "GREATEST");
            command.Parameters.AddWithValue("count", count);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            groups = await SessionGroups.ReadAsync(reader, cancellationToken);
        }
        return await SessionGroups.DigestAsync(groups, filter, (f, order) => QueryMemoriesAsync(f, order, 1, cancellationToken).FirstOrDefaultAsync(cancellationToken).AsTask());
    }
}
