namespace Engram.Core.Privacy;

/// <summary>The text after redaction, and what was taken out of it.</summary>
/// <param name="Text">The redacted text; equal to the input when nothing was found.</param>
/// <param name="CountsByKind">How many secrets of each kind (such as <c>github-token</c>) were replaced.</param>
public sealed record RedactionResult(string Text, IReadOnlyDictionary<string, int> CountsByKind)
{
    /// <summary>How many secrets were replaced in all.</summary>
    public int Count => CountsByKind.Values.Sum();

    /// <summary>True when at least one secret was replaced.</summary>
    public bool Redacted => CountsByKind.Count > 0;
}
