namespace Engram.Eval;

/// <summary>
/// One question of a conversation. The runner only ever searches with <see cref="Question"/>; the
/// answer and the evidence are used for scoring and never reach the memory service.
/// </summary>
/// <param name="Answer">The answer as text (numbers kept as written); null for adversarial questions.</param>
/// <param name="RawEvidence">Evidence strings exactly as in the data, malformed ones included.</param>
/// <param name="Evidence">Normalised evidence ids that exist in the conversation (see <see cref="LocomoEvidence"/>); empty means the question is skipped.</param>
public sealed record LocomoQuestion(
    int Index,
    string Question,
    string? Answer,
    int Category,
    IReadOnlyList<string> RawEvidence,
    IReadOnlyList<string> Evidence);
