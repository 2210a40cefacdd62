namespace Engram.Agents;

/// <summary>
/// Turns the many spellings of one remote into one project key. <c>git@github.com:Org/Repo.git</c>,
/// <c>https://user:token@github.com/org/repo</c> and <c>ssh://git@github.com:22/org/repo.git/</c> are all
/// <c>github.com/org/repo</c>.
/// </summary>
/// <remarks>
/// Keys of hosted remotes are entirely lower case. The big hosts treat owner and repository names
/// case-insensitively, so two clones spelled <c>Org/Repo</c> and <c>org/repo</c> are one project; the
/// price, two repositories on a case-sensitive server that differ only in case sharing a key, is
/// accepted. Credentials, scheme, port, query, <c>.git</c> and trailing slashes are dropped. Azure DevOps
/// SSH and HTTPS forms meet at <c>dev.azure.com/org/project/repo</c>. A remote that is a local path keeps
/// its case and becomes an absolute path.
/// </remarks>
public static class GitRemoteUrl
{
    /// <summary>The normalised key and display name of a remote URL, or null if the URL is empty.</summary>
    /// <param name="url">The URL as written in the git config.</param>
    /// <param name="baseDirectory">The directory a relative local remote is resolved against.</param>
    public static NormalizedRemote? Normalize(string url, string? baseDirectory = null)
    {
        var text = url?.Trim() ?? "";
        if (text.Length == 0) return null;

        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd > 0 && IsScheme(text.AsSpan(0, schemeEnd)))
        {
            var scheme = text[..schemeEnd].ToLowerInvariant();
            var rest = text[(schemeEnd + 3)..];
            if (scheme == "file") return LocalPath(Uri.UnescapeDataString(rest), baseDirectory);

            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            var authority = slash < 0 ? rest : rest[..slash];
            var path = slash < 0 ? "" : rest[slash..];
            return Hosted(HostOf(authority), path);
        }

        if (TrySplitScpLike(text, out var host, out var scpPath)) return Hosted(host, scpPath);
        return LocalPath(text, baseDirectory);
    }

    /// <summary>Only the key of <see cref="Normalize"/>.</summary>
    public static string? NormalizeKey(string url, string? baseDirectory = null) => Normalize(url, baseDirectory)?.Key;

    private static NormalizedRemote? Hosted(string host, string path)
    {
        var cut = path.AsSpan().IndexOfAny('?', '#');
        if (cut >= 0) path = path[..cut];
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (segments.Count > 0) segments[^1] = StripGitSuffix(segments[^1]);
        segments.RemoveAll(s => s.Length == 0);

        // Azure DevOps: ssh.dev.azure.com:v3/org/project/repo and dev.azure.com/org/project/_git/repo.
        if (host == "ssh.dev.azure.com" && segments.Count > 0 && segments[0] == "v3")
        {
            host = "dev.azure.com";
            segments.RemoveAt(0);
        }
        if (host == "dev.azure.com" || host.EndsWith(".visualstudio.com", StringComparison.Ordinal))
        {
            segments.RemoveAll(s => s == "_git");
        }

        if (host.Length == 0) return null;
        var name = segments.Count > 0 ? segments[^1] : host;
        var key = segments.Count > 0 ? host + "/" + string.Join('/', segments).ToLowerInvariant() : host;
        return new NormalizedRemote(key, name);
    }

    private static NormalizedRemote? LocalPath(string path, string? baseDirectory)
    {
        try
        {
            var full = baseDirectory is null ? Path.GetFullPath(path) : Path.GetFullPath(path, baseDirectory);
            full = ProjectIdentity.TrimTrailingSeparators(full);
            var name = Path.GetFileName(full);
            var stripped = StripGitSuffix(name);
            if (stripped.Length > 0 && stripped.Length != name.Length)
            {
                full = full[..^(name.Length - stripped.Length)];
                name = stripped;
            }
            return new NormalizedRemote(full, name.Length == 0 ? full : name);
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Host of an authority, lower case, without user, password or port.</summary>
    private static string HostOf(string authority)
    {
        var host = authority[(authority.LastIndexOf('@') + 1)..];
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']', StringComparison.Ordinal);
            host = close < 0 ? host : host[..(close + 1)];
        }
        else
        {
            var colon = host.IndexOf(':', StringComparison.Ordinal);
            if (colon >= 0) host = host[..colon];
        }
        return host.ToLowerInvariant();
    }

    /// <summary>Splits <c>[user@]host:path</c>, git's scp-like syntax. A Windows drive (<c>C:\</c>) is not a host.</summary>
    private static bool TrySplitScpLike(string text, out string host, out string path)
    {
        host = path = "";
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0) return false;
        var slash = text.AsSpan(0, colon).IndexOfAny('/', '\\');
        if (slash >= 0) return false;
        var authority = text[..colon];
        var candidate = authority[(authority.LastIndexOf('@') + 1)..];
        if (candidate.Length <= 1) return false; // "C:" is a drive letter
        host = candidate.ToLowerInvariant();
        path = text[(colon + 1)..];
        return true;
    }

    private static bool IsScheme(ReadOnlySpan<char> scheme)
    {
        if (scheme.Length < 2 || !char.IsAsciiLetter(scheme[0])) return false; // one letter would be a drive
        foreach (var c in scheme)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '+' || c == '-' || c == '.')) return false;
        }
        return true;
    }

    private static string StripGitSuffix(string segment) =>
        segment.EndsWith(".git", StringComparison.OrdinalIgnoreCase) ? segment[..^4] : segment;
}

/// <summary>A normalised remote: the project key and the repository name as written (for display).</summary>
public sealed record NormalizedRemote(string Key, string Name);
