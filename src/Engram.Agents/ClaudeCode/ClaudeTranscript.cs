namespace Engram.Agents.ClaudeCode;

/// <summary>What Engram takes from a Claude Code transcript.</summary>
/// <param name="UserPrompts">The prompts the user typed, in order (tool results, slash-command echoes and meta lines left out).</param>
/// <param name="LastAssistantMessage">The text of the last assistant message that had text, or null.</param>
/// <param name="SkippedLines">Complete lines that were not valid JSON (a last line still being written is not counted).</param>
public sealed record ClaudeTranscript(IReadOnlyList<TranscriptMessage> UserPrompts, TranscriptMessage? LastAssistantMessage, int SkippedLines)
{
    /// <summary>
    /// The byte offset just past the last line that was read; pass it to the next read to get only
    /// what was appended since. A partial last line is not included.
    /// </summary>
    public long EndOffset { get; init; }

    /// <summary>A transcript with nothing in it (also what a missing file reads as).</summary>
    public static ClaudeTranscript Empty { get; } = new([], null, 0);
}
