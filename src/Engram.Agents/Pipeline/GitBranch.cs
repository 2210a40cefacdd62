namespace Engram.Agents.Pipeline;

/// <summary>The checked-out branch of the work tree around a folder, read from its HEAD file (no git process).</summary>
public static class GitBranch
{
    public static string? Read(string? cwd)
    {
        if (string.IsNullOrWhiteSpace(cwd)) return null;
        try
        {
            for (var dir = new DirectoryInfo(cwd); dir is not null; dir = dir.Parent)
            {
                var dotGit = Path.Combine(dir.FullName, ".git");
                string? gitDir = null;
                if (Directory.Exists(dotGit)) gitDir = dotGit;
                else if (File.Exists(dotGit))
                {
                    var line = File.ReadLines(dotGit).FirstOrDefault(l => l.StartsWith("gitdir:", StringComparison.Ordinal));
                    if (line is not null) gitDir = Path.GetFullPath(line["gitdir:".Length..].Trim(), dir.FullName);
                }
                if (gitDir is null) continue;
                var head = File.ReadAllText(Path.Combine(gitDir, "HEAD")).Trim();
                const string prefix = "ref: refs/heads/";
                return head.StartsWith(prefix, StringComparison.Ordinal) ? head[prefix.Length..] : null;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }
}
