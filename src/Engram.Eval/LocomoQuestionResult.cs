namespace Engram.Eval;

/// <summary>What one search retrieved for one scored question.</summary>
/// <param name="Evidence">The normalised evidence ids.</param>
/// <param name="Retrieved">The first (largest k) distinct dialog ids retrieved, best first.</param>
/// <param name="LatencyMs">Wall time of the search (all calls, when the limit had to grow), in milliseconds.</param>
public sealed record LocomoQuestionResult(
    int ConversationIndex,
    string SampleId,
    int QuestionIndex,
    int Category,
    IReadOnlyList<string> Evidence,
    IReadOnlyList<string> Retrieved,
    double LatencyMs);
