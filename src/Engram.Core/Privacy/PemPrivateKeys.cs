using System.Text;

namespace Engram.Core.Privacy;

/// <summary>
/// Finds PEM private key blocks (<c>-----BEGIN ... PRIVATE KEY-----</c> to the matching END line) by
/// plain searching rather than a regular expression: a lazy "up to END" pattern rescans the rest of the
/// text for every BEGIN that has no END, which is quadratic. Here each stretch of text is searched a
/// bounded number of times. A block with no END before the next BEGIN is redacted through its body
/// (base64, white space and header lines): a truncated key is still a key.
/// </summary>
internal static class PemPrivateKeys
{
    public const string Kind = "private-key";
    private const string Begin = "-----BEGIN ";
    private const string End = "-----END ";
    private const string Dashes = "-----";
    private const int MaxLabelLength = 64;

    public static string Redact(string text, ref Dictionary<string, int>? counts)
    {
        if (!text.Contains(Begin, StringComparison.Ordinal)) return text;

        StringBuilder? result = null;
        var copied = 0;
        var position = 0;
        var nextEnd = -2; // -2: not searched yet; -1: no END after this point
        while (true)
        {
            var begin = text.IndexOf(Begin, position, StringComparison.Ordinal);
            if (begin < 0) break;
            var labelStart = begin + Begin.Length;
            var labelEnd = IndexOfWithin(text, Dashes, labelStart, MaxLabelLength);
            if (labelEnd < 0 || !IsPrivateKeyLabel(text.AsSpan(labelStart, labelEnd - labelStart)))
            {
                position = labelStart;
                continue;
            }

            var bodyStart = labelEnd + Dashes.Length;
            var nextBegin = text.IndexOf(Begin, bodyStart, StringComparison.Ordinal);
            if (nextEnd == -2 || (nextEnd >= 0 && nextEnd < bodyStart))
            {
                nextEnd = text.IndexOf(End, bodyStart, StringComparison.Ordinal);
            }

            int blockEnd;
            if (nextEnd >= 0 && (nextBegin < 0 || nextEnd < nextBegin))
            {
                var close = IndexOfWithin(text, Dashes, nextEnd + End.Length, MaxLabelLength);
                blockEnd = close < 0 ? nextEnd + End.Length : close + Dashes.Length;
            }
            else
            {
                blockEnd = ScanBody(text, bodyStart, nextBegin < 0 ? text.Length : nextBegin);
            }

            result ??= new StringBuilder(text.Length);
            result.Append(text, copied, begin - copied).Append(SecretRedactor.MarkerPrefix).Append(Kind).Append(']');
            counts ??= new Dictionary<string, int>(StringComparer.Ordinal);
            counts[Kind] = counts.GetValueOrDefault(Kind) + 1;
            copied = position = blockEnd;
        }

        if (result is null) return text;
        return result.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>RSA, EC, DSA, OPENSSH, ENCRYPTED or plain PRIVATE KEY, and PGP PRIVATE KEY BLOCK.</summary>
    private static bool IsPrivateKeyLabel(ReadOnlySpan<char> label)
    {
        foreach (var c in label)
        {
            if (!(char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == ' ')) return false;
        }
        return label.EndsWith("PRIVATE KEY", StringComparison.Ordinal) || label.EndsWith("PRIVATE KEY BLOCK", StringComparison.Ordinal);
    }

    /// <summary>The end of an unterminated key body: base64, white space, header lines, JSON-escaped line breaks.</summary>
    private static int ScanBody(string text, int start, int limit)
    {
        var i = start;
        while (i < limit)
        {
            var c = text[i];
            if (!(char.IsAsciiLetterOrDigit(c) || char.IsWhiteSpace(c) || c is '+' or '/' or '=' or ':' or ',' or '-' or '\\')) break;
            i++;
        }
        return i;
    }

    private static int IndexOfWithin(string text, string value, int start, int maxDistance)
    {
        var length = Math.Min(maxDistance + value.Length, text.Length - start);
        if (length < value.Length) return -1;
        var found = text.AsSpan(start, length).IndexOf(value, StringComparison.Ordinal);
        return found < 0 ? -1 : start + found;
    }
}
