namespace Engram.Eval;

/// <summary>One long two-person conversation with its questions.</summary>
/// <param name="Index">Position in the data file, from 0; what conversation ranges such as "0-4" refer to.</param>
/// <param name="Sessions">Sessions in the order of their number.</param>
public sealed record LocomoConversation(
    int Index,
    string SampleId,
    string SpeakerA,
    string SpeakerB,
    IReadOnlyList<LocomoSession> Sessions,
    IReadOnlyList<LocomoQuestion> Questions)
{
    /// <summary>Every turn, session by session, in order.</summary>
    public IEnumerable<(LocomoSession Session, LocomoTurn Turn)> Turns =>
        Sessions.SelectMany(s => s.Turns.Select(t => (s, t)));

    public int TurnCount => Sessions.Sum(s => s.Turns.Count);
}
