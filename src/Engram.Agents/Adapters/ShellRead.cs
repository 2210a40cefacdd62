using System.Text.RegularExpressions;

namespace Engram.Agents.Adapters;

/// <summary>
/// Recognises a shell command that only shows one file (<c>cat FILE</c>, <c>head -n 20 FILE</c>,
/// <c>sed -n '1,80p' FILE</c>, <c>nl FILE</c>): agents whose only tool is the shell read files this way.
/// </summary>
public static partial class ShellRead
{
    /// <summary>The file the command shows, or null when it does anything else (pipes, several files, redirection).</summary>
    public static string? FileOf(string command)
    {
        var match = ReadCommand().Match(command.Trim());
        return match.Success ? match.Groups["file"].Value.Trim('\'', '"') : null;
    }

    [GeneratedRegex("""^(?:cat|nl|head(?:\s+-n\s*\d+|\s+-\d+)?|tail(?:\s+-n\s*\d+|\s+-\d+)?|sed\s+-n\s+['"]?\d+(?:,\d+)?p['"]?)\s+(?<file>'[^'\n]+'|"[^"\n]+"|[^\s|;&<>*?`$]+)$""")]
    private static partial Regex ReadCommand();
}
