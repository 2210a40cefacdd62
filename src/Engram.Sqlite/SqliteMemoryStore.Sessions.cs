using Engram.Core.Model;
using Engram.Core.Storage;

namespace Engram.Sqlite;

public sealed partial class SqliteMemoryStore
{
    public async Task<IReadOnlyList<SessionDigest>> ListSessionsAsync(MemoryFilter filter, int count, bool oldestFirst, CancellationToken cancellationToken = default)
    {
        List<SessionGroup> groups;
        await using (var connection = await OpenAsync(cancellationToken))
        {
            using var command = connection.CreateCommand();
            command.CommandText = SessionGroups.Sql(SqliteFilter.Where(filter, command), oldestFirst, greatest: "MAX");
            command.Parameters.AddWithValue("@count", count);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            groups = await SessionGroups.ReadAsync(reader, cancellationToken);
        }
        return await SessionGroups.DigestAsync(groups, filter, (f, order) => QueryMemoriesAsync(f, order, 1, cancellationToken).FirstOrDefaultAsync(cancellationToken).AsTask());
    }
}
