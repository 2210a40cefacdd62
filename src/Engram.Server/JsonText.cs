using System.Text;

namespace Engram.Server;

/// <summary>
/// Lenient decoding of a JSON body where the data allows it: an escaped lone surrogate (what
/// JavaScript's JSON.stringify writes for an emoji cut in half, such as "\ud83d") and bytes that are not
/// UTF-8 become U+FFFD, and the rest is kept. Without this, .NET's JSON reader refuses such text deep inside
/// an endpoint, long after the request was accepted.
/// </summary>
internal static class JsonText
{
    public static byte[] Repair(byte[] json)
    {
        var bytes = System.Text.Unicode.Utf8.IsValid(json) ? json : Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(json));
        return ReplaceLoneSurrogates(bytes);
    }

    private static byte[] ReplaceLoneSurrogates(byte[] json)
    {
        MemoryStream? output = null;
        var copied = 0;
        // A backslash occurs only inside strings in valid JSON, always as the start of a two-byte or \uXXXX escape.
        for (var i = 0; i < json.Length; i++)
        {
            if (json[i] != '\\') continue;
            if (i + 1 >= json.Length) break;
            if (json[i + 1] != 'u' || !TryHex(json, i + 2, out var unit))
            {
                i++;
                continue;
            }
            var length = 6;
            var lone = false;
            if (char.IsHighSurrogate((char)unit))
            {
                if (i + 11 < json.Length && json[i + 6] == '\\' && json[i + 7] == 'u' && TryHex(json, i + 8, out var low) && char.IsLowSurrogate((char)low)) length = 12;
                else lone = true;
            }
            else if (char.IsLowSurrogate((char)unit))
            {
                lone = true;
            }
            if (lone)
            {
                output ??= new MemoryStream(json.Length);
                output.Write(json, copied, i - copied);
                output.Write("\\uFFFD"u8);
                copied = i + 6;
            }
            i += length - 1;
        }
        if (output is null) return json;
        output.Write(json, copied, json.Length - copied);
        return output.ToArray();
    }

    private static bool TryHex(byte[] json, int at, out int value)
    {
        value = 0;
        if (at + 4 > json.Length) return false;
        for (var k = at; k < at + 4; k++)
        {
            var c = (char)json[k];
            if (!char.IsAsciiHexDigit(c)) return false;
            value = (value << 4) | Convert.ToInt32(c.ToString(), 16);
        }
        return true;
    }
}
