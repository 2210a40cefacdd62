using Engram.Core.Model;

namespace Engram.Sqlite;

/// <summary>
/// The fields of a memory that never change once it is stored (tenant, scope, kind, valid time), kept
/// beside its vector as interned numbers so a scan skips rows outside the filter without asking SQL, and its
/// metadata entries as <see cref="MetadataBits"/> (a change of metadata moves the vector clock, so the index
/// reloads). Supersession can change, and metadata bits can admit rows they should not: SQL checks the winners.
/// </summary>
internal readonly record struct VectorRow(int Tenant, int User, int Agent, int Project, int Session, int Kind, long ValidFrom, ulong Metadata);

/// <summary>
/// A memory's metadata entries as 64 bits, two set per key and value (a Bloom filter): a filter entry's bits all
/// set means the row may hold it, one unset means it does not. Metadata that SQL's json_extract might match in a
/// way the bits cannot say (a value that is not a plain string, escapes, JSON that does not parse) sets every bit.
/// Hashes are this process's own (<see cref="HashCode"/>): the bits live in memory only.
/// </summary>
internal static class MetadataBits
{
    public const ulong Any = ulong.MaxValue;

    public static ulong OfJson(string? json)
    {
        if (string.IsNullOrEmpty(json)) return 0;
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
            if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject) return Any;
            ulong bits = 0;
            while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
            {
                if (reader.ValueIsEscaped) return Any;
                var key = reader.GetString()!;
                if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.String || reader.ValueIsEscaped) return Any;
                bits |= Of(key, reader.GetString()!);
            }
            return reader.TokenType == System.Text.Json.JsonTokenType.EndObject ? bits : Any;
        }
        catch (System.Text.Json.JsonException)
        {
            return Any;
        }
    }

    /// <summary>The bits a row holding every one of <paramref name="entries"/> has set.</summary>
    public static ulong Of(IReadOnlyDictionary<string, string> entries)
    {
        ulong bits = 0;
        foreach (var (key, value) in entries) bits |= Of(key, value);
        return bits;
    }

    private static ulong Of(string key, string value)
    {
        var hash = (uint)HashCode.Combine(key, value);
        return (1UL << (int)(hash & 63)) | (1UL << (int)((hash >> 6) & 63));
    }
}

/// <summary>Interns the strings of <see cref="VectorRow"/> (a few distinct users, projects and kinds per store).</summary>
internal sealed class VectorNames
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);

    public int Intern(string value)
    {
        if (!_ids.TryGetValue(value, out var id))
        {
            id = _ids.Count;
            _ids[value] = id;
        }
        return id;
    }

    /// <summary>The id of a known value; -1 for a value no stored vector carries.</summary>
    public int Find(string value) => _ids.GetValueOrDefault(value, -1);
}

/// <summary>
/// The part of a <see cref="MemoryFilter"/> a vector scan can check in memory: -1 fields match anything,
/// a kind mask of 0 any kind, metadata bits of 0 any metadata. <see cref="Empty"/> when a value the filter names is on no stored vector.
/// </summary>
internal readonly struct VectorScope
{
    private readonly int _tenant, _user, _agent, _project, _session;
    private readonly ulong _kinds, _metadata;
    private readonly long _since, _until;

    private VectorScope(int tenant, int user, int agent, int project, int session, ulong kinds, ulong metadata, long since, long until, bool empty)
    {
        (_tenant, _user, _agent, _project, _session, _kinds, _metadata, _since, _until, Empty) = (tenant, user, agent, project, session, kinds, metadata, since, until, empty);
    }

    public bool Empty { get; }

    public static VectorScope Of(MemoryFilter filter, VectorNames names, VectorNames kindNames)
    {
        var empty = false;
        int Id(string? value)
        {
            if (string.IsNullOrEmpty(value)) return -1;
            var id = names.Find(value);
            empty |= id < 0;
            return id;
        }
        var tenant = names.Find(filter.Tenant);
        empty |= tenant < 0;
        ulong kinds = 0;
        foreach (var kind in filter.Kinds)
        {
            var id = kindNames.Find(kind.ToWire());
            if (id is >= 0 and < 64) kinds |= 1UL << id;
        }
        // Named kinds that no vector carries (kinds have their own names, so ids stay below 64).
        empty |= filter.Kinds.Count > 0 && kinds == 0;
        return new VectorScope(tenant, Id(filter.UserId), Id(filter.AgentId), Id(filter.Project), Id(filter.SessionId), kinds, MetadataBits.Of(filter.Metadata),
            filter.Since?.ToUnixTimeMilliseconds() ?? long.MinValue, filter.Until?.ToUnixTimeMilliseconds() ?? long.MaxValue, empty);
    }

    public bool Admits(in VectorRow row) =>
        row.Tenant == _tenant
        && (_user < 0 || row.User == _user) && (_agent < 0 || row.Agent == _agent)
        && (_project < 0 || row.Project == _project) && (_session < 0 || row.Session == _session)
        && (_kinds == 0 || (row.Kind < 64 && (_kinds & (1UL << row.Kind)) != 0))
        && (row.Metadata & _metadata) == _metadata
        && row.ValidFrom >= _since && row.ValidFrom < _until;
}
