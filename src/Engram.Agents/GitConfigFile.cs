namespace Engram.Agents;

/// <summary>
/// Reads the remotes of a git config file: <c>[remote "name"]</c> sections and their first <c>url</c>.
/// Quoted values, escapes and comments are understood; include files and <c>insteadOf</c> rewrites are not.
/// </summary>
internal static class GitConfigFile
{
    /// <summary>The URL of <c>origin</c>, else of the first remote in the file, else null.</summary>
    public static string? ReadPreferredRemoteUrl(string configPath)
    {
        string text;
        try
        {
            if (!File.Exists(configPath)) return null;
            text = File.ReadAllText(configPath);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        var remotes = ReadRemotes(text);
        foreach (var (name, url) in remotes)
        {
            if (name == "origin") return url;
        }
        return remotes.Count > 0 ? remotes[0].Url : null;
    }

    /// <summary>Remotes in file order, each with its first URL.</summary>
    public static IReadOnlyList<(string Name, string Url)> ReadRemotes(string configText)
    {
        var remotes = new List<(string Name, string Url)>();
        string? currentRemote = null;
        foreach (var rawLine in configText.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] == '#' || line[0] == ';') continue;

            if (line[0] == '[')
            {
                var close = line.IndexOf(']', StringComparison.Ordinal);
                if (close < 0)
                {
                    currentRemote = null;
                    continue;
                }
                currentRemote = RemoteName(line[1..close].Trim());
                line = line[(close + 1)..].Trim(); // a key may follow the header on the same line
                if (line.Length == 0) continue;
            }
            if (currentRemote is null) continue;

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0) continue;
            var key = line[..equals].Trim();
            if (!key.Equals("url", StringComparison.OrdinalIgnoreCase)) continue;
            var value = ParseValue(line[(equals + 1)..]);
            if (value.Length == 0 || remotes.Exists(r => r.Name == currentRemote)) continue;
            remotes.Add((currentRemote, value));
        }
        return remotes;
    }

    /// <summary>The remote name of a section header (<c>remote "origin"</c> or the old <c>remote.origin</c>), else null.</summary>
    private static string? RemoteName(string header)
    {
        if (header.StartsWith("remote", StringComparison.OrdinalIgnoreCase) && header.Length > 6)
        {
            var rest = header[6..];
            if (rest[0] == '.') return rest[1..].ToLowerInvariant();
            rest = rest.Trim();
            if (rest.Length >= 2 && rest[0] == '"' && rest[^1] == '"')
            {
                return rest[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
            }
        }
        return null;
    }

    /// <summary>A config value: quotes removed, escapes applied, trailing comment dropped.</summary>
    private static string ParseValue(string raw)
    {
        var value = new System.Text.StringBuilder(raw.Length);
        var quoted = false;
        var pendingSpace = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c == '\\' && i + 1 < raw.Length)
            {
                var next = raw[++i];
                value.Append(' ', pendingSpace).Append(next switch { 'n' => '\n', 't' => '\t', 'b' => '\b', _ => next });
                pendingSpace = 0;
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && (c == '#' || c == ';'))
            {
                break;
            }
            else if (!quoted && char.IsWhiteSpace(c))
            {
                if (value.Length > 0) pendingSpace++;
            }
            else
            {
                value.Append(' ', pendingSpace).Append(c);
                pendingSpace = 0;
            }
        }
        return value.ToString();
    }
}
