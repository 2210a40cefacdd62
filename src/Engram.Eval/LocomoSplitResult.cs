namespace Engram.Eval;

/// <summary>The metrics of one split: the conversations of it that ran, overall and per category.</summary>
public sealed record LocomoSplitResult(
    string Name,
    IReadOnlyList<int> Conversations,
    LocomoMetrics Overall,
    IReadOnlyDictionary<string, LocomoMetrics> Categories);
