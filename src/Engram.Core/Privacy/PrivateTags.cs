using System.Text;

namespace Engram.Core.Privacy;

/// <summary>
/// Removes <c>&lt;private&gt;...&lt;/private&gt;</c> spans, which users put around text that must never be stored.
/// </summary>
/// <remarks>
/// The rule. A tag is recognised case-insensitively, with white space inside it (<c>&lt; / private &gt;</c>),
/// with attributes (<c>&lt;private reason="x"&gt;</c>), written HTML-escaped (<c>&amp;lt;private&amp;gt;</c>),
/// with fullwidth or small brackets and letters (<c>＜private＞</c>), and with zero-width or other invisible
/// formatting characters anywhere inside it. Spans nest. Text is scanned field by field in the order it
/// is stored (an event's fields, a memory's title, content, facts, metadata keys and values), and a span
/// runs across fields: an opening tag that is never closed hides everything after it to the end of the
/// event, later fields included; a closing tag with no opening hides everything before it in its field.
/// </remarks>
public static class PrivateTags
{
    /// <summary>True when the text holds an opening or closing private tag in any recognised form.</summary>
    public static bool Contains(string? text) => !string.IsNullOrEmpty(text) && TagScanner.Find(text, 0, out _, out _, out _);

    /// <summary>One field on its own: the text without its private spans.</summary>
    public static string Strip(string? text) => new PrivateSpans().Filter(text);
}

/// <summary>The private-span state of one event, carried from field to field (see <see cref="PrivateTags"/>).</summary>
public sealed class PrivateSpans
{
    private int _depth;

    /// <summary>True while an opened span is still open: whatever comes next is hidden.</summary>
    public bool Hiding => _depth > 0;

    /// <summary>The next field of the event, without what is private.</summary>
    public string Filter(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var position = 0;  // start of text not yet copied or dropped
        StringBuilder? result = null;
        while (TagScanner.Find(text, position, out var tagStart, out var tagEnd, out var isOpen))
        {
            result ??= new StringBuilder(text.Length);
            if (_depth == 0)
            {
                if (isOpen)
                {
                    result.Append(text, position, tagStart - position);
                    _depth = 1;
                }
                else
                {
                    result.Clear(); // a closing tag with no opening: what came before it in this field was private
                }
            }
            else
            {
                _depth += isOpen ? 1 : -1;
            }
            position = tagEnd;
        }
        if (result is null) return _depth > 0 ? "" : text;
        if (_depth == 0) result.Append(text, position, text.Length - position);
        return result.ToString();
    }
}

/// <summary>Finds private tags in their recognised forms; each candidate is examined over a bounded stretch.</summary>
internal static class TagScanner
{
    private const string Name = "private";
    private const int MaxAttributes = 256;

    public static bool Find(string text, int from, out int start, out int end, out bool isOpen)
    {
        var i = from;
        while (i < text.Length)
        {
            var next = text.AsSpan(i).IndexOfAny(OpenerStarts);
            if (next < 0) break;
            i += next;
            if (TryTag(text, i, out end, out isOpen))
            {
                start = i;
                return true;
            }
            i++;
        }
        start = end = -1;
        isOpen = false;
        return false;
    }

    private static readonly System.Buffers.SearchValues<char> OpenerStarts = System.Buffers.SearchValues.Create("<&\uFF1C\uFE64");

    private static bool TryTag(string text, int at, out int end, out bool isOpen)
    {
        end = -1;
        isOpen = false;
        var i = Opener(text, at);
        if (i < 0) return false;
        i = Skip(text, i, whiteSpace: true);
        if (i < text.Length && (text[i] is '/' or '\uFF0F'))
        {
            i = Skip(text, i + 1, whiteSpace: true);
        }
        else
        {
            isOpen = true;
        }
        foreach (var expected in Name)
        {
            i = Skip(text, i, whiteSpace: false);
            if (i >= text.Length || Fold(text[i]) != expected) return false;
            i++;
        }
        i = Skip(text, i, whiteSpace: false);
        if (i >= text.Length) return false;
        // The name must end here: "<privateer>" is another tag.
        var afterName = Closer(text, i);
        if (afterName >= 0)
        {
            end = afterName;
            return true;
        }
        if (!(char.IsWhiteSpace(text[i]) || text[i] is '/' or '\uFF0F')) return false;
        var limit = Math.Min(text.Length, i + MaxAttributes);
        for (; i < limit; i++)
        {
            if (text[i] is '<' or '\uFF1C' or '\uFE64') return false;
            var closed = Closer(text, i);
            if (closed >= 0)
            {
                end = closed;
                return true;
            }
        }
        return false;
    }

    /// <summary>The index after an opening bracket at <paramref name="at"/>, or -1.</summary>
    private static int Opener(string text, int at)
    {
        var c = text[at];
        if (c is '<' or '\uFF1C' or '\uFE64') return at + 1;
        foreach (var entity in LessThanEntities)
        {
            if (string.Compare(text, at, entity, 0, entity.Length, StringComparison.OrdinalIgnoreCase) == 0) return at + entity.Length;
        }
        return -1;
    }

    /// <summary>The index after a closing bracket at <paramref name="at"/>, or -1.</summary>
    private static int Closer(string text, int at)
    {
        var c = text[at];
        if (c is '>' or '\uFF1E' or '\uFE65') return at + 1;
        if (c != '&') return -1;
        foreach (var entity in GreaterThanEntities)
        {
            if (string.Compare(text, at, entity, 0, entity.Length, StringComparison.OrdinalIgnoreCase) == 0) return at + entity.Length;
        }
        return -1;
    }

    private static readonly string[] LessThanEntities = ["&lt;", "&#60;", "&#x3c;"];
    private static readonly string[] GreaterThanEntities = ["&gt;", "&#62;", "&#x3e;"];

    /// <summary>Skips invisible formatting characters (zero-width space and joiners, BOM, soft hyphen...) and, if asked, white space.</summary>
    private static int Skip(string text, int i, bool whiteSpace)
    {
        var limit = Math.Min(text.Length, i + 32);
        while (i < limit && (IsInvisible(text[i]) || (whiteSpace && char.IsWhiteSpace(text[i])))) i++;
        return i;
    }

    internal static bool IsInvisible(char c) =>
        c > '\u007F' && (char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format || c is '\u034F' or '\u115F' or '\u1160' or '\u3164' or '\uFFA0');

    /// <summary>Lower-case ASCII for ASCII and fullwidth letters; anything else as it is.</summary>
    private static char Fold(char c)
    {
        if (c is >= '\uFF21' and <= '\uFF5A') c = (char)(c - 0xFEE0);
        return char.ToLowerInvariant(c);
    }
}
