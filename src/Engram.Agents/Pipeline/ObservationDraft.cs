namespace Engram.Agents.Pipeline;

/// <summary>An observation distilled from captured events, before it is stored.</summary>
public sealed record ObservationDraft
{
    /// <summary>bugfix, feature, refactor, change, discovery, decision, failure.</summary>
    public required string Type { get; init; }
    public required string Title { get; init; }
    /// <summary>A short narrative: what happened, in a sentence or three.</summary>
    public required string Narrative { get; init; }
    public IReadOnlyList<string> Facts { get; init; } = [];
    public IReadOnlyList<string> Concepts { get; init; } = [];
    public IReadOnlyList<string> FilesRead { get; init; } = [];
    public IReadOnlyList<string> FilesModified { get; init; } = [];
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
    public double Importance { get; init; } = 0.5;
}
