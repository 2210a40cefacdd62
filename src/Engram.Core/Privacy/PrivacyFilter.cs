namespace Engram.Core.Privacy;

/// <summary>What every captured text goes through before storage: private spans removed, then secrets redacted.</summary>
public static class PrivacyFilter
{
    /// <summary>The text without private spans and with secrets replaced.</summary>
    public static string Apply(string? text) => SecretRedactor.Redact(PrivateTags.Strip(text));

    /// <summary>As <see cref="Apply"/>, reporting what was redacted.</summary>
    public static RedactionResult ApplyWithReport(string? text) => SecretRedactor.RedactWithReport(PrivateTags.Strip(text));
}
