using System.Text.RegularExpressions;

namespace Engram.Core.Privacy;

/// <summary>
/// One redaction pattern. Patterns run on the non-backtracking engine, so a scan costs time linear in
/// the text whatever the input (no time limit is needed or used); a pattern is only compiled and run
/// when one of its literals occurs in the text. The group <c>s</c>, when present, is the part replaced.
/// </summary>
/// <param name="decide">The kind to report for a match, or null to leave it; null accepts every match.</param>
internal sealed class SecretRule(string kind, string pattern, string[] literals, bool ignoreCase, Func<Match, string, string, string?>? decide)
{
    private Regex? _regex;

    public string Kind { get; } = kind;

    /// <summary>A check on a match's text, without captures, that may turn it down cheaply; null accepts all.</summary>
    public Func<ReadOnlySpan<char>, bool>? Quick { get; init; }

    /// <summary>Length of the identifier (letters, digits, _ . -) at the start of a match.</summary>
    public static int IdentifierLength(ReadOnlySpan<char> text)
    {
        var i = 0;
        while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or '.' or '-')) i++;
        return i;
    }

    public Regex Regex => LazyInitializer.EnsureInitialized(ref _regex, () => new Regex(pattern,
        RegexOptions.NonBacktracking | RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | (ignoreCase ? RegexOptions.IgnoreCase : 0)));

    /// <summary>Cheap prefilter: a vectorised search for the rule's literals.</summary>
    public bool MayMatch(string text)
    {
        if (literals.Length == 0) return true;
        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        foreach (var literal in literals)
        {
            if (text.Contains(literal, comparison)) return true;
        }
        return false;
    }

    /// <summary>The literals that gate this rule.</summary>
    public IReadOnlyList<string> Literals => literals;

    /// <summary>
    /// As <see cref="MayMatch(string)"/>, given the literals a single pass found in the text (compared
    /// without case); a case-sensitive rule confirms its literal exactly.
    /// </summary>
    public bool MayMatch(string text, HashSet<string> present)
    {
        if (literals.Length == 0) return true;
        foreach (var literal in literals)
        {
            if (literal.Length < LiteralIndex.MinLength) return text.Contains(literal, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
            if (present.Contains(literal) && (ignoreCase || text.Contains(literal, StringComparison.Ordinal))) return true;
        }
        return false;
    }

    /// <summary>The kind to report for this match in this input, or null to keep the match as it is.</summary>
    public string? Judge(Match match, string input) => decide is null ? Kind : decide(match, input, Kind);

    /// <summary>The replaced part: group <c>s</c>, or the whole match.</summary>
    public static Group SecretOf(Match match)
    {
        var secret = match.Groups["s"];
        return secret.Success ? secret : match.Groups[0];
    }

    /// <summary>Accepts a match whose secret looks random (see <see cref="LooksLikeToken"/>).</summary>
    public static string? TokenLike(Match match, string input, string kind) => LooksLikeToken(SecretOf(match).ValueSpan) ? kind : null;

    /// <summary>Random-looking: has a digit, or mixes cases over 16+ characters, or is 32+ characters long.</summary>
    public static bool LooksLikeToken(ReadOnlySpan<char> value)
    {
        bool digit = false, upper = false, lower = false;
        foreach (var c in value)
        {
            if (char.IsAsciiDigit(c)) digit = true;
            else if (char.IsAsciiLetterUpper(c)) upper = true;
            else if (char.IsAsciiLetterLower(c)) lower = true;
        }
        return digit || (upper && lower && value.Length >= 16) || value.Length >= 32;
    }
}
