using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Engram.Agents.Capture;

/// <summary>
/// Repairs the two encoding faults real agents send in otherwise good JSON, so one cut emoji cannot
/// poison an event: bytes that are not UTF-8 become U+FFFD, and an escaped lone surrogate
/// (<c>"\ud83d"</c>, what JSON.stringify writes for half an emoji) becomes <c>\ufffd</c>. Everything
/// else is kept byte for byte. One pass, linear in the input; structure is not checked here.
/// </summary>
public static class LenientJson
{
    /// <summary>The payload with both faults repaired; the same array when there was nothing to repair.</summary>
    public static byte[] Repair(byte[] json)
    {
        var utf8 = Utf8.IsValid(json) ? json : Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(json));
        return HasLoneSurrogateEscape(utf8) ? ReplaceLoneSurrogateEscapes(utf8) : utf8;
    }

    private static bool HasLoneSurrogateEscape(ReadOnlySpan<byte> json)
    {
        for (var i = 0; i < json.Length; i++)
        {
            if (json[i] != '\\') continue;
            if (i + 1 < json.Length && json[i + 1] == 'u' && SurrogateAt(json, i) is { } kind)
            {
                if (kind == Surrogate.Low || !(SurrogateAt(json, i + 6) is Surrogate.Low)) return true;
                i += 11;
                continue;
            }
            i++; // skip the escaped character, so "\\ud83d" (an escaped backslash) is not read as an escape
        }
        return false;
    }

    private static byte[] ReplaceLoneSurrogateEscapes(ReadOnlySpan<byte> json)
    {
        var output = new ArrayBufferWriter<byte>(json.Length);
        var start = 0;
        for (var i = 0; i < json.Length; i++)
        {
            if (json[i] != '\\') continue;
            if (i + 1 < json.Length && json[i + 1] == 'u' && SurrogateAt(json, i) is { } kind)
            {
                if (kind == Surrogate.High && SurrogateAt(json, i + 6) is Surrogate.Low)
                {
                    i += 11; // a proper pair stays
                    continue;
                }
                output.Write(json[start..i]);
                output.Write("\\ufffd"u8);
                start = i + 6;
                i += 5;
                continue;
            }
            i++;
        }
        output.Write(json[start..]);
        return output.WrittenSpan.ToArray();
    }

    private enum Surrogate { High, Low }

    /// <summary>Whether <c>\uXXXX</c> at <paramref name="at"/> escapes a surrogate, and which half.</summary>
    private static Surrogate? SurrogateAt(ReadOnlySpan<byte> json, int at)
    {
        if (at + 6 > json.Length || json[at] != '\\' || json[at + 1] != 'u') return null;
        var value = 0;
        for (var k = at + 2; k < at + 6; k++)
        {
            var digit = HexValue(json[k]);
            if (digit < 0) return null;
            value = value * 16 + digit;
        }
        return value switch
        {
            >= 0xD800 and <= 0xDBFF => Surrogate.High,
            >= 0xDC00 and <= 0xDFFF => Surrogate.Low,
            _ => null,
        };
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
