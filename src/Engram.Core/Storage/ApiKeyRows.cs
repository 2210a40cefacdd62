using System.Data.Common;
using Engram.Core.Security;

namespace Engram.Core.Storage;

/// <summary>The row shape of <c>api_keys</c> that every SQL store shares: its columns and how a row reads back (never the secret's hash).</summary>
public static class ApiKeyRows
{
    /// <summary>Columns of <c>api_keys</c> in the order <see cref="ReadApiKey"/> expects.</summary>
    public const string Columns = "id, tenant, name, prefix, created_at, revoked_at";

    public static ApiKey ReadApiKey(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Tenant = reader.GetString(1),
        Name = reader.IsDBNull(2) ? null : reader.GetString(2),
        Prefix = reader.GetString(3),
        CreatedAt = MemoryRows.Time(reader.GetInt64(4)),
        RevokedAt = reader.IsDBNull(5) ? null : MemoryRows.Time(reader.GetInt64(5)),
    };
}
