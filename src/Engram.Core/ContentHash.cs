using System.Security.Cryptography;
using System.Text;

namespace Engram.Core;

/// <summary>
/// The duplicate key of a memory: SHA-256 of its kind and its content with white space collapsed
/// and case folded, so "Alice likes tea." and "alice  likes tea." are the same memory.
/// </summary>
public static class ContentHash
{
    public static string Compute(Model.MemoryKind kind, string content)
    {
        var normalized = new StringBuilder(content.Length + 16);
        normalized.Append(Model.MemoryKinds.ToWire(kind)).Append('\n');
        var space = false;
        foreach (var c in content.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }
            if (space) normalized.Append(' ');
            space = false;
            normalized.Append(char.ToLowerInvariant(c));
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(normalized.ToString()));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }
}
