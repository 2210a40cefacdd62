namespace Engram.Core;

/// <summary>
/// ULIDs: 48 bits of Unix milliseconds then 80 random bits, in Crockford base 32 (26 characters).
/// They sort by creation time as plain strings. Within one millisecond a generator increments the
/// random part so that IDs it makes stay strictly increasing.
/// </summary>
public sealed class MemoryId(TimeProvider time)
{
    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private readonly Lock _gate = new();
    private long _lastMs = -1;
    private readonly byte[] _lastRandom = new byte[10];

    /// <summary>A shared generator on the system clock.</summary>
    public static MemoryId System { get; } = new(TimeProvider.System);

    public string Next()
    {
        var ms = time.GetUtcNow().ToUnixTimeMilliseconds();
        Span<byte> random = stackalloc byte[10];
        lock (_gate)
        {
            if (ms <= _lastMs)
            {
                ms = _lastMs;
                Increment(_lastRandom);
            }
            else
            {
                _lastMs = ms;
                // Ids need to be unique, not secret: the shared generator avoids loading the crypto library,
                // which costs the capture hook milliseconds.
                Random.Shared.NextBytes(_lastRandom);
            }
            _lastRandom.CopyTo(random);
        }
        return Format(ms, random);
    }

    /// <summary>An id as given by a user: trimmed, and upper-cased when it is a ULID (ULIDs ignore case;
    /// ids imported from elsewhere keep theirs).</summary>
    public static string Normalize(string id)
    {
        var trimmed = id.Trim();
        return IsValid(trimmed) ? trimmed.ToUpperInvariant() : trimmed;
    }

    /// <summary>True when the text has the shape of a ULID.</summary>
    public static bool IsValid(string? text)
    {
        if (text is null || text.Length != 26) return false;
        foreach (var c in text)
        {
            if (Alphabet.IndexOf(char.ToUpperInvariant(c)) < 0) return false;
        }
        return text[0] <= '7';
    }

    private static void Increment(byte[] bytes)
    {
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (++bytes[i] != 0) return;
        }
    }

    private static string Format(long ms, ReadOnlySpan<byte> random)
    {
        Span<char> chars = stackalloc char[26];
        for (var i = 9; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(ms & 31)];
            ms >>= 5;
        }
        // 80 random bits -> 16 characters of 5 bits each.
        UInt128 r = 0;
        foreach (var b in random) r = (r << 8) | b;
        for (var i = 25; i >= 10; i--)
        {
            chars[i] = Alphabet[(int)(r & 31)];
            r >>= 5;
        }
        return new string(chars);
    }
}
