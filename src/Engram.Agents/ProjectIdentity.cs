namespace Engram.Agents;

/// <summary>
/// Which project a working directory belongs to. Two folders with the same name are two projects;
/// a clone, its worktrees, its submodules and its subdirectories are one.
/// </summary>
/// <param name="Key">
/// The stable project key: the normalised remote URL (<c>github.com/org/repo</c>, all lower case, no
/// scheme, user, password, port or <c>.git</c>) when the repository has a remote; otherwise the absolute
/// path of the main repository's root; outside any repository, the absolute working directory.
/// </param>
/// <param name="DisplayName">A short name for people: the repository name (the last path segment).</param>
/// <param name="Source">Where the key came from.</param>
/// <param name="Root">The work tree root of the main repository, or the working directory outside a repository.</param>
public sealed record ProjectIdentity(string Key, string DisplayName, ProjectIdentitySource Source, string Root)
{
    /// <summary>
    /// Resolves the project of <paramref name="cwd"/> by reading <c>.git</c>, <c>commondir</c> and the
    /// repository's <c>config</c> directly. It never starts a git process: hooks call it on every tool call.
    /// </summary>
    public static ProjectIdentity Resolve(string cwd)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cwd);
        var directory = TrimTrailingSeparators(Path.GetFullPath(cwd));

        var repository = GitRepositoryLocator.Find(directory);
        if (repository is null)
        {
            return new ProjectIdentity(directory, NameOf(directory), ProjectIdentitySource.Directory, directory);
        }

        var remoteUrl = GitConfigFile.ReadPreferredRemoteUrl(Path.Combine(repository.CommonDirectory, "config"));
        if (remoteUrl is not null)
        {
            var normalized = GitRemoteUrl.Normalize(remoteUrl, repository.MainRoot);
            if (normalized is not null)
            {
                return new ProjectIdentity(normalized.Key, normalized.Name, ProjectIdentitySource.Remote, repository.MainRoot);
            }
        }
        return new ProjectIdentity(repository.MainRoot, NameOf(repository.MainRoot), ProjectIdentitySource.GitRoot, repository.MainRoot);
    }

    internal static string TrimTrailingSeparators(string path)
    {
        var root = Path.GetPathRoot(path) ?? "";
        var end = path.Length;
        while (end > root.Length && (path[end - 1] == Path.DirectorySeparatorChar || path[end - 1] == Path.AltDirectorySeparatorChar)) end--;
        return path[..end];
    }

    private static string NameOf(string path)
    {
        var name = Path.GetFileName(path);
        return string.IsNullOrEmpty(name) ? path : name;
    }
}

/// <summary>Where a <see cref="ProjectIdentity.Key"/> came from.</summary>
public enum ProjectIdentitySource
{
    /// <summary>The normalised URL of the <c>origin</c> remote, or of the first remote when there is no origin.</summary>
    Remote,
    /// <summary>The absolute path of the main repository's root: the repository has no usable remote.</summary>
    GitRoot,
    /// <summary>The absolute working directory: it is not inside a git repository.</summary>
    Directory,
}
