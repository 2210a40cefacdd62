using Engram.Core.Model;

namespace Engram.Sqlite;

/// <summary>
/// The fields of a memory that never change once it is stored (tenant, scope, kind, valid time), kept
/// beside its vector as interned numbers so a scan skips rows outside the filter without asking SQL.
/// Supersession and metadata can change, so those are still checked in SQL on the winners.
/// </summary>
internal readonly record struct VectorRow(int Tenant, int User, int Agent, int Project, int Session, int Kind, long ValidFrom);

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
/// a kind mask of 0 any kind. <see cref="Empty"/> when a value the filter names is on no stored vector.
/// </summary>
internal readonly struct VectorScope
{
    private readonly int _tenant, _user, _agent, _project, _session;
    private readonly ulong _kinds;
    private readonly long _since, _until;

    private VectorScope(int tenant, int user, int agent, int project, int session, ulong kinds, long since, long until, bool empty)
    {
        (_tenant, _user, _agent, _project, _session, _kinds, _since, _until, Empty) = (tenant, user, agent, project, session, kinds, since, until, empty);
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
        return new VectorScope(tenant, Id(filter.UserId), Id(filter.AgentId), Id(filter.Project), Id(filter.SessionId), kinds,
            filter.Since?.ToUnixTimeMilliseconds() ?? long.MinValue, filter.Until?.ToUnixTimeMilliseconds() ?? long.MaxValue, empty);
    }

    public bool Admits(in VectorRow row) =>
        row.Tenant == _tenant
        && (_user < 0 || row.User == _user) && (_agent < 0 || row.Agent == _agent)
        && (_project < 0 || row.Project == _project) && (_session < 0 || row.Session == _session)
        && (_kinds == 0 || (row.Kind < 64 && (_kinds & (1UL << row.Kind)) != 0))
        && row.ValidFrom >= _since && row.ValidFrom < _until;
}
