using System.Text.RegularExpressions;

namespace Engram.Core.Privacy;

/// <summary>
/// Replaces secrets with <c>[REDACTED:&lt;kind&gt;]</c> before anything is stored: provider tokens known
/// by their shape (<see cref="SecretFormats"/>, some eighty formats), PEM private keys, and secrets known
/// by their context (<see cref="SecretContextRules"/>): values under names that say they are secret,
/// Authorization headers, URL passwords, connection strings, command-line password flags.
/// </summary>
/// <remarks>
/// Only the secret is replaced: a key name, a URL's user and host, a header name stay, so the memory
/// still says what was configured. Every pattern runs on the non-backtracking engine, whose cost is
/// linear in the input whatever it holds, and only when one of its literals occurs in the text; PEM
/// blocks are found by plain search. Running the redactor on its own output changes nothing.
/// </remarks>
public static class SecretRedactor
{
    /// <summary>The marker that starts every replacement.</summary>
    public const string MarkerPrefix = "[REDACTED:";

    // PEM private keys are found first, by PemPrivateKeys (a search, not a pattern). Then shapes before
    // contexts, so that a key inside an assignment is reported by its provider, and later rules skip
    // what earlier ones replaced.
    private static readonly SecretRule[] Rules = [.. SecretFormats.All(), .. SecretContextRules.All()];

    private static readonly LiteralIndex Literals = new(Rules.SelectMany(r => r.Literals));

    /// <summary>The redacted text.</summary>
    public static string Redact(string? text) => RedactWithReport(text).Text;

    /// <summary>The redacted text with the number of secrets replaced, by kind.</summary>
    public static RedactionResult RedactWithReport(string? text)
    {
        if (string.IsNullOrEmpty(text)) return new RedactionResult("", NoCounts);
        Dictionary<string, int>? counts = null;
        var current = Run(text, ref counts);
        return new RedactionResult(current, counts ?? NoCounts);
    }

    /// <summary>
    /// A value stored under a key (a JSON property, a metadata entry): wholly replaced when the key names
    /// a secret and the value is one by the key-context rule (<see cref="SecretNames"/>); otherwise
    /// redacted as text.
    /// </summary>
    public static string RedactValue(string? key, string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (key is { Length: > 0 } && SecretNames.IsSecretValue(SecretNames.Classify(key), value))
        {
            return MarkerPrefix + SecretContextRules.AssignmentKind + "]";
        }
        return Redact(value);
    }

    private static string Run(string text, ref Dictionary<string, int>? counts)
    {
        var current = PemPrivateKeys.Redact(text, ref counts);
        // Computed once: replacements only remove secrets and insert markers, which no rule matches.
        var present = Literals.Present(current);
        foreach (var rule in Rules)
        {
            if (!rule.MayMatch(current, present)) continue;
            current = Apply(rule, current, ref counts, rescan: rule == SecretContextRules.Assignment);
        }
        return current;
    }

    /// <summary>
    /// One rule over the text. Matches are found without captures (the engine's fast path); only those
    /// a cheap check cannot turn down are matched again with captures, which costs far more per match.
    /// </summary>
    private static string Apply(SecretRule rule, string input, ref Dictionary<string, int>? counts, bool rescan)
    {
        System.Text.StringBuilder? result = null;
        var copied = 0;
        foreach (var found in rule.Regex.EnumerateMatches(input))
        {
            var span = input.AsSpan(found.Index, found.Length);
            string replacement;
            int start = found.Index, length = found.Length;
            if (rule.Quick is { } quick && !quick(span))
            {
                // Turned down by its name, but its value may hold an assignment that is a secret: "url=https://h/?token=abc".
                if (!rescan) continue;
                var nameLength = SecretRule.IdentifierLength(span);
                var separator = span[nameLength..].IndexOfAny('=', ':');
                if (separator < 0) continue;
                var valueStart = nameLength + separator + 1;
                // Only a value with a separator of its own can hold an assignment (each new scan has a fixed cost).
                if (span[valueStart..].IndexOfAny('=', ':') < 0) continue;
                var value = input.Substring(found.Index + nameLength, found.Length - nameLength);
                if (!rule.MayMatch(value)) continue;
                var inner = Apply(rule, value, ref counts, rescan: false);
                if (inner == value) continue;
                replacement = string.Concat(span[..nameLength], inner);
            }
            else
            {
                var match = rule.Regex.Match(input, found.Index, found.Length);
                if (!match.Success) continue;
                (start, length) = (match.Index, match.Length);
                replacement = Replace(rule, match, input, ref counts, rescan);
                if (replacement == match.Value) continue;
            }
            result ??= new System.Text.StringBuilder(input.Length);
            result.Append(input, copied, start - copied).Append(replacement);
            copied = start + length;
        }
        if (result is null) return input;
        return result.Append(input, copied, input.Length - copied).ToString();
    }

    private static string Replace(SecretRule rule, Match match, string input, ref Dictionary<string, int>? counts, bool rescan)
    {
        var secret = SecretRule.SecretOf(match);
        if (secret.Length == 0 || secret.ValueSpan.StartsWith(MarkerPrefix, StringComparison.Ordinal)) return match.Value;

        var offset = secret.Index - match.Index;
        var kind = rule.Judge(match, input);
        if (kind is null)
        {
            // Not a secret here, but its value may hold an assignment that is: "url=https://h/?token=abc".
            if (!rescan || !rule.MayMatch(secret.Value)) return match.Value;
            var inner = Apply(rule, secret.Value, ref counts, rescan: false);
            return inner == secret.Value ? match.Value : string.Concat(match.ValueSpan[..offset], inner, match.ValueSpan[(offset + secret.Length)..]);
        }

        counts ??= new Dictionary<string, int>(StringComparer.Ordinal);
        counts[kind] = counts.GetValueOrDefault(kind) + 1;
        return string.Concat(match.ValueSpan[..offset], $"{MarkerPrefix}{kind}]", match.ValueSpan[(offset + secret.Length)..]);
    }

    private static readonly IReadOnlyDictionary<string, int> NoCounts = new Dictionary<string, int>();
}
