namespace Engram.Eval;

/// <summary>One dialog turn of a LoCoMo session.</summary>
/// <param name="DiaId">The turn's dialog id, such as "D1:3" (session 1, turn 3).</param>
/// <param name="ImageUrls">Links of images the speaker shared; never loaded, kept for completeness.</param>
/// <param name="BlipCaption">A caption of the shared image, when there is one.</param>
public sealed record LocomoTurn(string Speaker, string DiaId, string Text, IReadOnlyList<string> ImageUrls, string? BlipCaption)
{
    /// <summary>
    /// The text remembered for this turn: what was said, followed by " [shares caption]" when an image
    /// was shared (the reference scorer's convention).
    /// </summary>
    public string MemoryText => string.IsNullOrWhiteSpace(BlipCaption) ? Text : $"{Text} [shares {BlipCaption}]";
}
