namespace Engram.Agents;

/// <summary>A repository found on disk: the git directory shared by all its worktrees, and the main work tree root.</summary>
internal sealed record GitRepositoryLocation(string CommonDirectory, string MainRoot);

/// <summary>
/// Finds the repository that holds a directory by reading files only, as git itself would:
/// the nearest <c>.git</c> folder or <c>gitdir:</c> file, then <c>commondir</c> for worktrees, then the
/// superproject for submodules (whose git directories live under <c>&lt;super&gt;/.git/modules/</c>).
/// </summary>
internal static class GitRepositoryLocator
{
    public static GitRepositoryLocation? Find(string directory)
    {
        for (var current = directory; current is not null; current = Path.GetDirectoryName(current))
        {
            var dotGit = Path.Combine(current, ".git");
            string? gitDirectory = null;
            if (Directory.Exists(dotGit))
            {
                gitDirectory = dotGit;
            }
            else if (File.Exists(dotGit))
            {
                gitDirectory = ReadGitFile(dotGit, current);
            }
            if (gitDirectory is null || !Directory.Exists(gitDirectory)) continue;

            var common = CommonDirectoryOf(gitDirectory);
            // A submodule's git directory sits inside its superproject's: <super>/.git/modules/<name>[/modules/<nested>].
            var superproject = OutermostSuperproject(common);
            if (superproject is not null) common = CommonDirectoryOf(superproject);

            var mainRoot = string.Equals(Path.GetFileName(common), ".git", StringComparison.Ordinal)
                ? Path.GetDirectoryName(common)!
                : superproject is null ? current : common; // a bare or unusual layout: the best stable path we have
            return new GitRepositoryLocation(common, ProjectIdentity.TrimTrailingSeparators(mainRoot));
        }
        return null;
    }

    /// <summary>Reads a <c>.git</c> file (<c>gitdir: path</c>), resolving a relative path against its folder.</summary>
    private static string? ReadGitFile(string file, string folder)
    {
        string content;
        try
        {
            content = File.ReadAllText(file);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        const string prefix = "gitdir:";
        var line = FirstLine(content);
        if (!line.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var path = line[prefix.Length..].Trim();
        return path.Length == 0 ? null : ProjectIdentity.TrimTrailingSeparators(Path.GetFullPath(path, folder));
    }

    /// <summary>The directory named by <c>commondir</c> (worktrees), or the git directory itself.</summary>
    private static string CommonDirectoryOf(string gitDirectory)
    {
        var file = Path.Combine(gitDirectory, "commondir");
        if (!File.Exists(file)) return gitDirectory;
        try
        {
            var path = FirstLine(File.ReadAllText(file)).Trim();
            if (path.Length == 0) return gitDirectory;
            var common = ProjectIdentity.TrimTrailingSeparators(Path.GetFullPath(path, gitDirectory));
            return Directory.Exists(common) ? common : gitDirectory;
        }
        catch (IOException)
        {
            return gitDirectory;
        }
        catch (UnauthorizedAccessException)
        {
            return gitDirectory;
        }
    }

    /// <summary>For a git directory under some <c>&lt;git dir&gt;/modules/</c>, the outermost such git dir.</summary>
    private static string? OutermostSuperproject(string gitDirectory)
    {
        if (string.Equals(Path.GetFileName(gitDirectory), ".git", StringComparison.Ordinal)) return null;
        string? outermost = null;
        for (var current = Path.GetDirectoryName(gitDirectory); current is not null; current = Path.GetDirectoryName(current))
        {
            if (!string.Equals(Path.GetFileName(current), "modules", StringComparison.Ordinal)) continue;
            var candidate = Path.GetDirectoryName(current);
            if (candidate is not null && LooksLikeGitDirectory(candidate)) outermost = candidate;
        }
        return outermost;
    }

    private static bool LooksLikeGitDirectory(string path) =>
        File.Exists(Path.Combine(path, "HEAD")) && File.Exists(Path.Combine(path, "config"));

    private static string FirstLine(string content)
    {
        var end = content.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? content : content[..end];
    }
}
