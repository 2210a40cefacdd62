namespace Engram.Eval;

/// <summary>What a conversation is going through.</summary>
public enum LocomoPhase
{
    /// <summary>Its turns are being added as memories.</summary>
    Loading,
    /// <summary>Its questions are being searched.</summary>
    Searching,
    /// <summary>It is scored.</summary>
    Done,
}

/// <summary>Progress of a run: <paramref name="Completed"/> of <paramref name="Total"/> turns or questions of one conversation.</summary>
/// <param name="Position">0-based position of the conversation among those being run.</param>
/// <param name="Count">Conversations being run.</param>
public sealed record LocomoProgress(int Position, int Count, string SampleId, LocomoPhase Phase, int Completed, int Total)
{
    /// <summary>A one-line status such as "conversation 3/10 sample-3: searching 120/193 questions".</summary>
    public override string ToString() => Phase switch
    {
        LocomoPhase.Loading => $"conversation {Position + 1}/{Count} {SampleId}: loading {Completed}/{Total} turns",
        LocomoPhase.Searching => $"conversation {Position + 1}/{Count} {SampleId}: searching {Completed}/{Total} questions",
        _ => $"conversation {Position + 1}/{Count} {SampleId}: done ({Total} questions)",
    };
}
