using System.Globalization;
using System.Text;

namespace Engram.Core.Privacy;

/// <summary>
/// Makes stored text safe to put inside a prompt: it can neither close Engram's wrapper elements
/// (<c>&lt;/engram-memory&gt;</c>, <c>&lt;/chat&gt;</c>) nor open anything that looks like markup
/// (<c>&lt;system&gt;</c>, a forged <c>&lt;chat url=...&gt;</c>). Used by the session context and by every
/// MCP tool that returns stored text.
/// </summary>
/// <remarks>
/// Invisible formatting characters (zero-width spaces and joiners, bidirectional controls, the BOM, soft
/// hyphens) are removed. Every character whose compatibility form (NFKC) is an angle bracket, fullwidth
/// <c>＜</c> and small <c>﹤</c> included, counts as one; a bracket that starts a tag (followed, after
/// optional white space and a slash, by a letter, <c>!</c> or <c>?</c>) becomes the look-alike <c>‹</c>, and
/// its closing bracket <c>›</c>. A bracket in <c>a &lt; b</c> or <c>=&gt;</c> stays, so code reads as code.
/// </remarks>
public static class UntrustedText
{
    /// <summary>The text with markup neutralised and invisible characters removed.</summary>
    public static string Neutralize(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        if (!NeedsWork(text)) return text;

        var s = new StringBuilder(text.Length);
        var inTag = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (TagScanner.IsInvisible(c)) continue;
            var folded = Fold(c);
            if (folded == '<' && StartsTag(text, i + 1))
            {
                s.Append('‹');
                inTag = true;
                continue;
            }
            if (folded == '>' && inTag)
            {
                s.Append('›');
                inTag = false;
                continue;
            }
            if (folded == '<') inTag = false;
            // Any other compatibility bracket is written plainly, so nothing downstream sees a disguised one.
            s.Append(folded is '<' or '>' ? folded : c);
        }
        return s.ToString();
    }

    private static bool NeedsWork(string text)
    {
        foreach (var c in text)
        {
            if (c == '<' || (c > '\u007F' && (TagScanner.IsInvisible(c) || Fold(c) is '<' or '>'))) return true;
        }
        return false;
    }

    /// <summary>
    /// After a bracket (invisible characters ignored): a letter, '!' or '?', or a slash, with white space
    /// allowed around the slash. "a &lt; b" is a comparison; "&lt; /x" is a closing tag.
    /// </summary>
    private static bool StartsTag(string text, int i)
    {
        var limit = Math.Min(text.Length, i + 32);
        var slash = false;
        var space = false;
        for (; i < limit; i++)
        {
            var c = Fold(text[i]);
            if (TagScanner.IsInvisible(c)) continue;
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }
            if (c == '/' && !slash)
            {
                slash = true;
                continue;
            }
            return (slash || !space) && (char.IsLetter(c) || c is '!' or '?');
        }
        return false;
    }

    /// <summary>A character's compatibility form when that is a single character (＜ to &lt;, ｓ to s), else the character.</summary>
    private static char Fold(char c)
    {
        if (c <= '\u007F' || char.IsSurrogate(c)) return c;
        if (c is >= '\uFF01' and <= '\uFF5E') return (char)(c - 0xFEE0);
        if (c is '\uFE64') return '<';
        if (c is '\uFE65') return '>';
        var category = char.GetUnicodeCategory(c);
        if (category is not (UnicodeCategory.MathSymbol or UnicodeCategory.OtherPunctuation or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation)) return c;
        var normal = c.ToString().Normalize(NormalizationForm.FormKC);
        return normal.Length == 1 ? normal[0] : c;
    }
}
