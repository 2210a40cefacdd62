namespace Engram.Eval;

/// <summary>One dated session of a LoCoMo conversation.</summary>
/// <param name="Number">N of the <c>session_N</c> key.</param>
/// <param name="DateText">The raw <c>session_N_date_time</c> value, such as "1:56 pm on 8 May, 2023"; empty when missing.</param>
/// <param name="Date">The parsed date (taken as UTC); null when the text is missing or not understood.</param>
public sealed record LocomoSession(int Number, string DateText, DateTimeOffset? Date, IReadOnlyList<LocomoTurn> Turns)
{
    /// <summary>The session's key in the data, used as the memories' session id.</summary>
    public string Key => $"session_{Number}";
}
