using System.Globalization;
using Engram.Core.Model;

namespace Engram.Cli;

/// <summary>Turns option values into model values, with usage errors that name the option.</summary>
internal static class Arguments
{
    public static MemoryScope Scope(CommandLine line) => new MemoryScope
    {
        Tenant = line.Value("tenant") ?? MemoryScope.DefaultTenant,
        UserId = line.Value("user") ?? "",
        AgentId = line.Value("agent") ?? "",
        Project = line.Value("project") ?? "",
        SessionId = line.Value("session") ?? "",
    }.Normalized();

    public static MemoryFilter Filter(CommandLine line) => new()
    {
        Tenant = line.Value("tenant") ?? MemoryScope.DefaultTenant,
        UserId = line.Value("user"),
        AgentId = line.Value("agent"),
        Project = line.Value("project"),
        SessionId = line.Value("session"),
        Kinds = KindsOf(line),
        Since = line.Value("since") is { } since ? Date("since", since) : null,
        Until = line.Value("until") is { } until ? Date("until", until) : null,
        Metadata = Metadata(line),
        IncludeSuperseded = line.Has("all"),
    };

    public static MemoryKind Kind(string text) => MemoryKinds.TryParse(text, out var kind)
        ? kind
        : throw new UsageException($"--kind '{text}' is not a memory kind; use one of: {string.Join(", ", MemoryKinds.All.Select(k => k.ToWire()))}");

    /// <summary>Every --kind once. A loop: LINQ over the enum would be JIT-compiled on every search (no ReadyToRun code for it).</summary>
    private static List<MemoryKind> KindsOf(CommandLine line)
    {
        var values = line.Values("kind");
        if (values.Count == 0) return [];
        var kinds = new List<MemoryKind>();
        foreach (var text in values)
        {
            var kind = Kind(text);
            if (!kinds.Contains(kind)) kinds.Add(kind);
        }
        return kinds;
    }

    public static Dictionary<string, string> Metadata(CommandLine line)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in line.Values("meta"))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new UsageException($"--meta '{pair}' must look like key=value");
            metadata[pair[..eq].Trim()] = pair[(eq + 1)..];
        }
        return metadata;
    }

    public static int Int(CommandLine line, string option, int fallback, int min, int max)
    {
        var text = line.Value(option);
        if (text is null) return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new UsageException($"--{option} '{text}' must be a whole number from {min} to {max}");
    }

    public static double? Fraction(CommandLine line, string option)
    {
        var text = line.Value(option);
        if (text is null) return null;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n is >= 0 and <= 1
            ? n
            : throw new UsageException($"--{option} '{text}' must be a number from 0 to 1");
    }

    /// <summary>An ISO date or date-time (UTC unless it says otherwise), or an age such as 30m, 12h, 7d, 2w.</summary>
    public static DateTimeOffset Date(string option, string text) => TryDate(text, TimeProvider.System.GetUtcNow()) ?? throw new UsageException(
        $"--{option} '{text}' is not a date; use 2026-01-31, 2026-01-31T14:00:00Z, or an age like 12h, 7d, 2w");

    internal static DateTimeOffset? TryDate(string text, DateTimeOffset now) =>
        Span(text) is { } age ? now - age : AbsoluteDate(text);

    /// <summary>
    /// --expires: an ISO date or date-time, or a span from now such as 12h, 30d, 2w; "never" (with
    /// <paramref name="clear"/>) removes an expiry.
    /// </summary>
    public static DateTimeOffset? Expiry(CommandLine line, out bool clear)
    {
        var text = line.Value("expires")?.Trim();
        clear = string.Equals(text, "never", StringComparison.OrdinalIgnoreCase);
        if (text is null || clear) return null;
        return (Span(text) is { } span ? TimeProvider.System.GetUtcNow() + span : AbsoluteDate(text)) ?? throw new UsageException(
            $"--expires '{text}' is not a time; use 2026-12-31, 2026-12-31T18:00:00Z, a span from now like 12h, 30d, 2w, or never");
    }

    private static TimeSpan? Span(string text)
    {
        text = text.Trim();
        if (text.Length < 2 || !long.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var amount)) return null;
        return char.ToLowerInvariant(text[^1]) switch
        {
            'm' => TimeSpan.FromMinutes(amount),
            'h' => TimeSpan.FromHours(amount),
            'd' => TimeSpan.FromDays(amount),
            'w' => TimeSpan.FromDays(7 * amount),
            _ => null,
        };
    }

    private static DateTimeOffset? AbsoluteDate(string text) =>
        DateTimeOffset.TryParse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? date
            : null;
}
