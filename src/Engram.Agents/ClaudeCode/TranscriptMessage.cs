namespace Engram.Agents.ClaudeCode;

/// <summary>One message of a transcript: its text, when it was written and the transcript line's uuid.</summary>
public sealed record TranscriptMessage(string Text, DateTimeOffset? Timestamp, string? Uuid);
