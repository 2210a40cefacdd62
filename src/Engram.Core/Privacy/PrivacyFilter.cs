using System.Text;

namespace Engram.Core.Privacy;

/// <summary>What every stored text goes through: private spans removed, then secrets redacted.</summary>
public static class PrivacyFilter
{
    /// <summary>One field on its own: the text without private spans and with secrets replaced.</summary>
    public static string Apply(string? text) => SecretRedactor.Redact(PrivateTags.Strip(text));

    /// <summary>As <see cref="Apply"/>, reporting what was redacted.</summary>
    public static RedactionResult ApplyWithReport(string? text) => SecretRedactor.RedactWithReport(PrivateTags.Strip(text));

    /// <summary>A value stored under a key (metadata, a JSON property), redacted in the key's context.</summary>
    public static string ApplyToValue(string? key, string? value) => SecretRedactor.RedactValue(key, PrivateTags.Strip(value));

    /// <summary>
    /// Any text, whole: a log line, a payload that is not valid JSON, a file set aside. JSON escapes of
    /// angle brackets (<c>\u003c</c>) count as brackets for the private rule, and assignments inside
    /// JSON-escaped strings (<c>{\"password\":\"x\"}</c>) are found.
    /// </summary>
    public static string ApplyToRawText(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var view = text.Contains("\\u003", StringComparison.OrdinalIgnoreCase)
            ? text.Replace("\\u003c", "<", StringComparison.OrdinalIgnoreCase).Replace("\\u003e", ">", StringComparison.OrdinalIgnoreCase)
            : text;
        return Apply(view);
    }

    /// <summary>
    /// Raw bytes that may be neither JSON nor valid UTF-8 (a rejected hook payload): decoded leniently
    /// (bad bytes become U+FFFD), then <see cref="ApplyToRawText"/>.
    /// </summary>
    public static string ApplyToRawBytes(ReadOnlySpan<byte> bytes) => ApplyToRawText(Encoding.UTF8.GetString(bytes));

    /// <summary>State for the fields of one event or one memory, so a private span can run from field to field.</summary>
    public static PrivacyScope NewScope() => new();
}

/// <summary>
/// The privacy filter over the fields of one event or memory, in the order they are stored: a private
/// span opened in one field and closed in a later one hides everything between.
/// </summary>
public sealed class PrivacyScope
{
    private readonly PrivateSpans _spans = new();

    /// <summary>True while a private span is open: later fields are hidden until it closes.</summary>
    public bool Hiding => _spans.Hiding;

    /// <summary>A text field.</summary>
    public string Text(string? text) => SecretRedactor.Redact(_spans.Filter(text));

    /// <summary>A value under a key, redacted in the key's context (<see cref="SecretNames"/>).</summary>
    public string Value(string? key, string? value) => SecretRedactor.RedactValue(key, _spans.Filter(value));

    /// <summary>Null stays null; anything else as <see cref="Text"/>.</summary>
    public string? OptionalText(string? text) => text is null ? null : Text(text);

    /// <summary>A list of short texts; entries left empty are dropped.</summary>
    public IReadOnlyList<string> List(IReadOnlyList<string> items)
    {
        if (items.Count == 0) return items;
        var result = new List<string>(items.Count);
        foreach (var item in items)
        {
            var clean = Text(item);
            if (!string.IsNullOrWhiteSpace(clean)) result.Add(clean);
        }
        return result;
    }

    /// <summary>Metadata: keys as text, values in the context of their key; entries whose key is hidden are dropped.</summary>
    public IReadOnlyDictionary<string, string> Metadata(IReadOnlyDictionary<string, string> metadata)
    {
        if (metadata.Count == 0) return metadata;
        var result = new Dictionary<string, string>(metadata.Count, StringComparer.Ordinal);
        foreach (var (key, value) in metadata)
        {
            var cleanKey = Text(key);
            var cleanValue = Value(key, value);
            if (cleanKey.Length > 0) result[cleanKey] = cleanValue;
        }
        return result;
    }
}
