namespace Engram.Eval;

/// <summary>A named group of conversations reported on its own, such as the tuning set and the held-out set.</summary>
/// <param name="Conversations">A selection such as "0-4" (see <see cref="ConversationSelection"/>).</param>
public sealed record LocomoSplit(string Name, string Conversations)
{
    /// <summary>The project's convention for locomo10: tune on conversations 0-4, judge on held-out 5-9.</summary>
    public static IReadOnlyList<LocomoSplit> Standard { get; } =
    [
        new("tune", "0-4"),
        new("held-out", "5-9"),
    ];
}
