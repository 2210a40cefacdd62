using System.Security.Cryptography;
using System.Text;

namespace Engram.Core.Security;

/// <summary>Makes API key secrets and hashes them for storage and lookup.</summary>
public static class ApiKeySecrets
{
    /// <summary>Every Engram key starts with this, so secret scanners and people can recognise one.</summary>
    public const string Marker = "engram_";

    /// <summary>Characters of the secret kept as the visible prefix (the marker plus four).</summary>
    public const int PrefixLength = 11;

    /// <summary>A new secret: the marker then 32 random bytes in URL-safe base 64 (43 characters).</summary>
    public static string NewSecret()
    {
        Span<byte> bytes = stackalloc byte[32];
        RandomNumberGenerator.Fill(bytes);
        return Marker + Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Lower-case hex SHA-256 of the secret's UTF-8 bytes: what the store keeps and looks up.</summary>
    public static string Hash(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static string PrefixOf(string secret) => secret.Length <= PrefixLength ? secret : secret[..PrefixLength];
}
