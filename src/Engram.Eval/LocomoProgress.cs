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
public sealed record LocomoProgress(int Position, int Count, string SampleId, LocomoPhase Phase, int Completed, int Total);
