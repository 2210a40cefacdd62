using System.Security.Cryptography;
using System.Text;
using Engram.Core.Model;

namespace Engram.Postgres;

/// <summary>
/// A memory's tenant and scope as full-text tokens: a letter for the field, then the first 16 bytes of
/// the SHA-256 of the value in hex ("u3a9f..." is one user). Any value becomes one fixed-size token the
/// 'simple' configuration keeps whole, so a scoped search narrows inside the GIN index, before ranking.
/// The exact SQL filter still applies, so a hash collision could never widen a result.
/// </summary>
internal static class PgScope
{
    public static string Tokens(MemoryScope scope)
    {
        var parts = new List<string>(5) { Token('t', scope.Tenant) };
        Add(parts, 'u', scope.UserId);
        Add(parts, 'a', scope.AgentId);
        Add(parts, 'p', scope.Project);
        Add(parts, 's', scope.SessionId);
        return string.Join(' ', parts);
    }

    /// <summary>A tsquery (in its text form, already normalised) that every row of the filter's tenant and scope matches.</summary>
    public static string Query(MemoryFilter filter)
    {
        var parts = new List<string>(5) { Token('t', filter.Tenant) };
        Add(parts, 'u', filter.UserId);
        Add(parts, 'a', filter.AgentId);
        Add(parts, 'p', filter.Project);
        Add(parts, 's', filter.SessionId);
        return string.Join(" & ", parts.Select(t => $"'{t}'"));
    }

    private static void Add(List<string> parts, char field, string? value)
    {
        if (!string.IsNullOrEmpty(value)) parts.Add(Token(field, value));
    }

    private static string Token(char field, string value) =>
        field + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)).AsSpan(0, 16));
}
