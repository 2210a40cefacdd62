namespace Engram.Core.Services;

/// <summary>The checks every way in shares: text (with privacy filtering), expiry, importance; each error names the fix.</summary>
public sealed partial class MemoryService
{
    /// <summary>
    /// Every memory's text passes the privacy filter here, whatever its way in (CLI, REST, MCP, hooks, import):
    /// private spans removed, secrets redacted, before anything is stored.
    /// </summary>
    private static string ValidateContent(string? content, Privacy.PrivacyScope privacy)
    {
        var raw = content?.Trim() ?? "";
        if (raw.Length == 0) throw new EngramException("the memory text is empty");
        if (raw.Length > MaxContentLength)
        {
            throw new EngramException($"the memory text has {raw.Length:N0} characters; the limit is {MaxContentLength:N0}. Split it into smaller memories");
        }
        if (raw.Contains('\0')) throw new EngramException("the memory text contains a NUL character; binary data cannot be stored as a memory");
        var text = privacy.Text(raw).Trim();
        if (text.Length == 0) throw new EngramException("nothing is left to store once the <private> parts are removed");
        return text;
    }

    private static DateTimeOffset ValidateExpiry(DateTimeOffset expiresAt, DateTimeOffset now) =>
        expiresAt > now
            ? Truncate(expiresAt)
            : throw new EngramException($"expiry time {expiresAt:O} is not in the future; give a later time, or delete the memory instead");

    private static double ValidateImportance(double importance) =>
        importance is >= 0 and <= 1 && !double.IsNaN(importance)
            ? importance
            : throw new EngramException($"importance {importance} is out of range; use a number from 0 to 1");

    /// <summary>Blank text counts as not given; given text is trimmed.</summary>
    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
