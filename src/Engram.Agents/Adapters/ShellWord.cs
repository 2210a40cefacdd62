namespace Engram.Agents.Adapters;

/// <summary>Quoting for the shells agents run hook commands in.</summary>
public static class ShellWord
{
    /// <summary>Quotes an executable path for a POSIX shell when it needs quoting.</summary>
    public static string Quote(string command)
    {
        foreach (var c in command)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "/\\._-+:@%=,~".Contains(c, StringComparison.Ordinal)))
            {
                return "\"" + command
                    .Replace("\\", "\\\\", StringComparison.Ordinal)
                    .Replace("\"", "\\\"", StringComparison.Ordinal)
                    .Replace("$", "\\$", StringComparison.Ordinal)
                    .Replace("`", "\\`", StringComparison.Ordinal) + "\"";
            }
        }
        return command;
    }

    /// <summary>Whether an executable of this name is in a folder on PATH.</summary>
    public static bool OnPath(string name) => Find(name) is not null;

    /// <summary>The full path of an executable on PATH, or null.</summary>
    public static string? Find(string name)
    {
        var path = Environment.GetEnvironmentVariable("PATH");
        if (string.IsNullOrEmpty(path)) return null;
        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
