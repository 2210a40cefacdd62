using System.Text;
using System.Text.RegularExpressions;

namespace Engram.Agents.Pipeline;

/// <summary>
/// What makes two observations repeats of each other: the same type and the same title once the parts
/// that change every time are set aside (counts, durations, line numbers, hashes, ids). "ran dotnet test:
/// 41 passed in 3.1s" and "ran dotnet test: 44 passed in 2.8s" share a key; "modified src/Cart.cs: added
/// `Total`" and "modified src/Cart.cs: added `Tax`" do not, nor do edits of two files whose names differ by a digit. The worker merges observations of one project
/// that share a key into one memory that counts them and keeps the latest details.
/// </summary>
public static partial class RepeatKey
{
    /// <summary>The metadata entry holding the key.</summary>
    public const string MetadataKey = "repeat_key";

    public static string? Of(ObservationDraft draft)
    {
        if (string.IsNullOrWhiteSpace(draft.Title)) return null;
        var title = Volatile().Replace(draft.Title.ToLowerInvariant(), "#");
        var key = new StringBuilder(draft.Type).Append('|');
        foreach (var word in title.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)) key.Append(word).Append(' ');
        // The files are part of what the observation is about, digits and all: edits of file0001.py and
        // file0002.py are two pieces of work, not one repeated.
        foreach (var file in draft.FilesModified.Concat(draft.FilesRead).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            key.Append('|').Append(file);
        }
        return key.ToString().TrimEnd();
    }

    /// <summary>Hex runs that look like hashes or ids (with a digit), then any run of digits (with decimals).</summary>
    [GeneratedRegex(@"\b(?=[0-9a-f]*[0-9])[0-9a-f]{7,}\b|\d+(?:[.,]\d+)*")]
    private static partial Regex Volatile();
}
