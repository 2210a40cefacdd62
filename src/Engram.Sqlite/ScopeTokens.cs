using System.Text;
using Engram.Core.Model;

namespace Engram.Sqlite;

/// <summary>
/// A memory's scope as full-text tokens: a letter for the field, then the value's UTF-8 bytes in hex
/// ("u616c696365" is user alice), so any value becomes one token the tokenizer keeps whole. Migration
/// 0004 computes the same tokens in SQL with lower(hex(...)), 0012 the tenant's. The tenant is a token only when it
/// is not the default one: a store of one tenant (most) keeps every row's length, and so every score, as it was,
/// while a search within another tenant narrows to that tenant's rows in the index.
/// </summary>
internal static class ScopeTokens
{
    public static string? Of(MemoryScope scope)
    {
        var parts = new List<string>(5);
        Add(parts, 't', scope.Tenant == MemoryScope.DefaultTenant ? null : scope.Tenant);
        Add(parts, 'u', scope.UserId);
        Add(parts, 'a', scope.AgentId);
        Add(parts, 'p', scope.Project);
        Add(parts, 's', scope.SessionId);
        return parts.Count == 0 ? null : string.Join(' ', parts);
    }

    /// <summary>The FTS5 condition that keeps only rows of the filter's scope fields, or "" for none: one phrase a field, last in the query.</summary>
    public static string Condition(MemoryFilter filter) => string.Join(" AND ", TokensOf(filter).Select(t => $"scope_tokens : \"{t}\""));

    /// <summary>How many phrases <see cref="Condition"/> adds to a query.</summary>
    public static int PhraseCount(MemoryFilter filter) => TokensOf(filter).Count;

    private static List<string> TokensOf(MemoryFilter filter)
    {
        var parts = new List<string>(5);
        Add(parts, 't', filter.Tenant == MemoryScope.DefaultTenant ? null : filter.Tenant);
        Add(parts, 'u', filter.UserId);
        Add(parts, 'a', filter.AgentId);
        Add(parts, 'p', filter.Project);
        Add(parts, 's', filter.SessionId);
        return parts;
    }

    private static void Add(List<string> parts, char field, string? value)
    {
        if (!string.IsNullOrEmpty(value)) parts.Add(field + Convert.ToHexStringLower(Encoding.UTF8.GetBytes(value)));
    }
}
