using System.Text.RegularExpressions;

namespace Engram.Eval;

/// <summary>
/// Evidence ids as the reference scorer reads them. The data holds malformed strings: several ids in
/// one string ("D8:6; D9:17"), a stray colon ("D:11:26"), zero-padded turns ("D30:05") and ids that
/// name no turn. Each string is stripped of parentheses and split on semicolons, commas and white
/// space; every piece shaped D[:]session:turn becomes "D{session}:{turn}" with the turn's leading zeros
/// dropped; repeats and ids missing from the conversation are removed, first occurrence kept.
/// </summary>
public static partial class LocomoEvidence
{
    /// <summary>Normalised ids in order of first appearance, without checking that they exist.</summary>
    public static IReadOnlyList<string> Parse(IEnumerable<string> raw)
    {
        var ids = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in raw)
        {
            var cleaned = text.Replace("(", "", StringComparison.Ordinal).Replace(")", "", StringComparison.Ordinal);
            foreach (var piece in Separators().Split(cleaned))
            {
                var match = DialogId().Match(piece.Trim());
                if (!match.Success) continue;
                var id = $"D{match.Groups[1].Value}:{match.Groups[2].Value}";
                if (seen.Add(id)) ids.Add(id);
            }
        }
        return ids;
    }

    /// <summary>Normalised ids that exist in the conversation (<paramref name="validIds"/>), in order of first appearance.</summary>
    public static IReadOnlyList<string> Normalize(IEnumerable<string> raw, IReadOnlySet<string> validIds) =>
        Parse(raw).Where(validIds.Contains).ToList();

    [GeneratedRegex(@"[;,\s]+")]
    private static partial Regex Separators();

    // Same shape as the reference's re.fullmatch(r"D:?(\d+):0*(\d+)"): \z, not $, so a trailing newline fails too.
    [GeneratedRegex(@"^D:?(\d+):0*(\d+)\z")]
    private static partial Regex DialogId();
}
