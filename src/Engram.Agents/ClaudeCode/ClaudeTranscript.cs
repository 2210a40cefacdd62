namespace Engram.Agents.ClaudeCode;

/// <summary>What Engram takes from a Claude Code transcript.</summary>
/// <param name="UserPrompts">The prompts the user typed, in order (tool results, slash-command echoes and meta lines left out).</param>
/// <param name="LastAssistantMessage">The text of the last assistant message that had text, or null.</param>
/// <param name="SkippedLines">Lines that were not valid JSON (garbage, or a last line still being written).</param>
public sealed record ClaudeTranscript(IReadOnlyList<TranscriptMessage> UserPrompts, TranscriptMessage? LastAssistantMessage, int SkippedLines)
{
    /// <summary>A transcript with nothing in it (also what a missing file reads as).</summary>
    public static ClaudeTranscript Empty { get; } = new([], null, 0);
}
