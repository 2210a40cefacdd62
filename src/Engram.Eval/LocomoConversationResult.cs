namespace Engram.Eval;

/// <summary>One conversation's part of a run.</summary>
/// <param name="Memories">Distinct memories its turns became (identical turns in one session are one memory).</param>
/// <param name="Skipped">Questions left out because none of their evidence ids names a turn.</param>
/// <param name="LoadTime">Time spent adding its turns.</param>
public sealed record LocomoConversationResult(
    int Index,
    string SampleId,
    int Turns,
    int Memories,
    int Skipped,
    TimeSpan LoadTime,
    LocomoMetrics Metrics);
