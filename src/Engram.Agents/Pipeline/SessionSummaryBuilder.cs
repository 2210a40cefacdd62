using System.Text;
using System.Text.RegularExpressions;
using Engram.Core.Model;

namespace Engram.Agents.Pipeline;

/// <summary>What a session summary says, section by section.</summary>
public sealed record SessionSummary
{
    public required string Title { get; init; }
    public required string Content { get; init; }
    public IReadOnlyList<string> Request { get; init; } = [];
    public IReadOnlyList<string> Investigated { get; init; } = [];
    public IReadOnlyList<string> Learned { get; init; } = [];
    public IReadOnlyList<string> Completed { get; init; } = [];
    public IReadOnlyList<string> Decisions { get; init; } = [];
    public IReadOnlyList<string> NextSteps { get; init; } = [];
    public IReadOnlyList<string> UnresolvedFailures { get; init; } = [];
    public IReadOnlyList<string> FilesRead { get; init; } = [];
    public IReadOnlyList<string> FilesModified { get; init; } = [];
}

/// <summary>
/// Builds a session summary offline from what the session left behind: its prompts, its observations,
/// the files it read, and the assistant's last message, whose sentences are sorted by their cue words
/// into what was learned, done, decided and left to do.
/// </summary>
public static partial class SessionSummaryBuilder
{
    public static SessionSummary Build(
        IReadOnlyList<string> prompts,
        IReadOnlyList<Memory> observations,
        IReadOnlyList<string> filesRead,
        string? lastAssistantMessage)
    {
        var sentences = Sentences(lastAssistantMessage ?? "");
        var learned = sentences.Where(s => LearnedCue().IsMatch(s)).Take(4).ToList();
        var decisions = sentences.Where(s => DecisionCue().IsMatch(s)).Take(4).ToList();
        var next = sentences.Where(s => NextCue().IsMatch(s)).Take(5).Select(s => NextPrefix().Replace(s, "")).ToList();
        var doneSentences = sentences.Where(s => DoneCue().IsMatch(s) && !next.Contains(s)).Take(4).ToList();

        var completed = observations
            .Where(o => o.Type is not "failure" && o.Title is not null)
            .Select(o => o.Title!)
            .Distinct()
            .Take(8)
            .Concat(doneSentences)
            .ToList();
        var unresolved = observations
            .Where(o => o.Type == "failure" && !o.Metadata.ContainsKey("resolved_by"))
            .Select(o => o.Title ?? o.Content)
            .Distinct()
            .Take(4)
            .ToList();
        var modified = observations.SelectMany(o => o.FilesModified).Distinct(StringComparer.Ordinal).Take(20).ToList();
        var read = filesRead.Except(modified, StringComparer.Ordinal).Distinct(StringComparer.Ordinal).Take(15).ToList();
        var request = prompts.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => OfflineCompressor.Cut(OneLine(p), 300)).Take(3).ToList();

        var title = request.Count > 0 ? OfflineCompressor.Cut(request[0], 90) : completed.Count > 0 ? OfflineCompressor.Cut(completed[0], 90) : "session";
        var summary = new SessionSummary
        {
            Title = title,
            Content = "",
            Request = request,
            Investigated = read,
            Learned = learned,
            Completed = completed,
            Decisions = decisions,
            NextSteps = next,
            UnresolvedFailures = unresolved,
            FilesRead = read,
            FilesModified = modified,
        };
        var content = Render(summary);
        if (content.Length == 0 && lastAssistantMessage is { Length: > 0 } last)
        {
            content = "Outcome: " + OfflineCompressor.Cut(OneLine(last), 400);
        }
        return summary with { Content = content };
    }

    /// <summary>The summary's text: one labelled section per non-empty part, in a fixed order.</summary>
    public static string Render(SessionSummary summary)
    {
        var content = new StringBuilder();
        Section(content, "Request", [.. summary.Request]);
        Section(content, "Investigated", summary.Investigated.Count > 0 ? [string.Join(", ", summary.Investigated)] : []);
        Section(content, "Learned", [.. summary.Learned]);
        Section(content, "Completed", [.. summary.Completed]);
        Section(content, "Decisions", [.. summary.Decisions]);
        Section(content, "Unresolved", [.. summary.UnresolvedFailures]);
        Section(content, "Next steps", [.. summary.NextSteps]);
        Section(content, "Files modified", summary.FilesModified.Count > 0 ? [string.Join(", ", summary.FilesModified)] : []);
        return content.ToString().TrimEnd();
    }

    private static void Section(StringBuilder content, string name, List<string> lines)
    {
        if (lines.Count == 0) return;
        content.Append(name).Append(':');
        if (lines.Count == 1)
        {
            content.Append(' ').AppendLine(lines[0]);
            return;
        }
        content.AppendLine();
        foreach (var line in lines) content.Append("- ").AppendLine(line);
    }

    /// <summary>Sentences and bullet items of a message, markdown markers removed.</summary>
    internal static List<string> Sentences(string text)
    {
        var result = new List<string>();
        foreach (var rawLine in text.Split('\n'))
        {
            var line = BulletMarker().Replace(rawLine.Trim(), "").Replace("**", "", StringComparison.Ordinal).Trim();
            if (line.Length == 0 || line.StartsWith("```", StringComparison.Ordinal)) continue;
            foreach (var sentence in SentenceEnd().Split(line))
            {
                var s = sentence.Trim();
                if (s.Length >= 12) result.Add(OfflineCompressor.Cut(s, 240));
            }
        }
        return result;
    }

    private static string OneLine(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    [GeneratedRegex(@"^(next steps?|todo|to-do)\s*[:,-]\s*", RegexOptions.IgnoreCase)]
    private static partial Regex NextPrefix();

    [GeneratedRegex(@"^([-*+]|\d+[.)]|#+)\s+")]
    private static partial Regex BulletMarker();

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[A-Z`])")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"\b(because|turns out|root cause|the cause|caused by|found that|the (problem|issue|bug) (was|is)|learned|discovered|it seems|apparently)\b", RegexOptions.IgnoreCase)]
    private static partial Regex LearnedCue();

    [GeneratedRegex(@"\b(decided|decision|chose|chosen|opted|going with|instead of|we'll use|we will use|will use|prefer|trade-?off)\b", RegexOptions.IgnoreCase)]
    private static partial Regex DecisionCue();

    [GeneratedRegex(@"\b(next step|next,|next:|todo|to-do|remaining|follow[- ]up|still need|needs? to be|should also|not yet|later|afterwards|then we|you may want|consider)\b", RegexOptions.IgnoreCase)]
    private static partial Regex NextCue();

    [GeneratedRegex(@"\b(fixed|added|implemented|updated|created|removed|refactored|renamed|now passes|all tests pass|done|completed)\b", RegexOptions.IgnoreCase)]
    private static partial Regex DoneCue();
}
