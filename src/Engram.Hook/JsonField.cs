using System.Text;

namespace Engram.Hook;

/// <summary>
/// Reads one top-level string field of a JSON object (the hook needs only <c>cwd</c>) without the JSON
/// library, which would cost the native hook start-up time and size. Nested values are skipped without
/// being decoded; anything that is not well-formed up to the field is reported as not an object.
/// </summary>
internal static class JsonField
{
    /// <summary>False when the text is not a JSON object; otherwise <paramref name="value"/> is the field's string, or null.</summary>
    public static bool TryReadTopLevelString(ReadOnlySpan<byte> json, string name, out string? value)
    {
        value = null;
        var i = 0;
        if (json.StartsWith("\uFEFF"u8)) i = 3;
        SkipSpace(json, ref i);
        if (i >= json.Length || json[i] != '{') return false;
        i++;
        SkipSpace(json, ref i);
        if (i < json.Length && json[i] == '}') return true;
        while (true)
        {
            SkipSpace(json, ref i);
            var key = ReadString(json, ref i);
            if (key is null) return false;
            SkipSpace(json, ref i);
            if (i >= json.Length || json[i] != ':') return false;
            i++;
            SkipSpace(json, ref i);
            if (key == name && i < json.Length && json[i] == '"')
            {
                value = ReadString(json, ref i);
                return value is not null;
            }
            if (!SkipValue(json, ref i)) return false;
            SkipSpace(json, ref i);
            if (i >= json.Length) return false;
            if (json[i] == '}') return true;
            if (json[i] != ',') return false;
            i++;
        }
    }

    private static void SkipSpace(ReadOnlySpan<byte> json, ref int i)
    {
        while (i < json.Length && json[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') i++;
    }

    /// <summary>Skips a value of any kind, counting brackets outside strings.</summary>
    private static bool SkipValue(ReadOnlySpan<byte> json, ref int i)
    {
        if (i >= json.Length) return false;
        if (json[i] == '"') return SkipString(json, ref i);
        if (json[i] is not ((byte)'{' or (byte)'['))
        {
            var start = i;
            while (i < json.Length && json[i] is not ((byte)',' or (byte)'}' or (byte)']' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) i++;
            return i > start;
        }
        var depth = 0;
        while (i < json.Length)
        {
            switch (json[i])
            {
                case (byte)'"':
                    if (!SkipString(json, ref i)) return false;
                    continue;
                case (byte)'{' or (byte)'[':
                    depth++;
                    break;
                case (byte)'}' or (byte)']':
                    depth--;
                    if (depth == 0)
                    {
                        i++;
                        return true;
                    }
                    break;
            }
            i++;
        }
        return false;
    }

    private static bool SkipString(ReadOnlySpan<byte> json, ref int i)
    {
        for (i++; i < json.Length; i++)
        {
            if (json[i] == '\\') i++;
            else if (json[i] == '"')
            {
                i++;
                return true;
            }
        }
        return false;
    }

    /// <summary>Reads and unescapes a string at <paramref name="i"/>; null when malformed.</summary>
    private static string? ReadString(ReadOnlySpan<byte> json, ref int i)
    {
        if (i >= json.Length || json[i] != '"') return null;
        var text = new StringBuilder();
        var runStart = ++i;
        while (i < json.Length)
        {
            var b = json[i];
            if (b == '"')
            {
                text.Append(Encoding.UTF8.GetString(json[runStart..i]));
                i++;
                return text.ToString();
            }
            if (b < 0x20) return null;
            if (b != '\\')
            {
                i++;
                continue;
            }
            text.Append(Encoding.UTF8.GetString(json[runStart..i]));
            if (i + 1 >= json.Length) return null;
            var escape = json[i + 1];
            i += 2;
            switch (escape)
            {
                case (byte)'"': text.Append('"'); break;
                case (byte)'\\': text.Append('\\'); break;
                case (byte)'/': text.Append('/'); break;
                case (byte)'b': text.Append('\b'); break;
                case (byte)'f': text.Append('\f'); break;
                case (byte)'n': text.Append('\n'); break;
                case (byte)'r': text.Append('\r'); break;
                case (byte)'t': text.Append('\t'); break;
                case (byte)'u':
                    if (i + 4 > json.Length || !ushort.TryParse(Encoding.ASCII.GetString(json.Slice(i, 4)), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var code)) return null;
                    text.Append((char)code); // surrogate pairs arrive as two escapes and join up here
                    i += 4;
                    break;
                default: return null;
            }
            runStart = i;
        }
        return null;
    }
}
