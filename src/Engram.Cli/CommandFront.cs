namespace Engram.Cli;

/// <summary>
/// Whether the <c>engram</c> a user types is the native front (engram-front, see install.sh), which hands
/// one-shot search and add to the running worker without starting .NET, or this managed engram itself.
/// </summary>
internal static class CommandFront
{
    public const string FileName = "engram-front";

    /// <summary>The doctor's line: ok when the first engram on PATH is the engram-front beside this engram.</summary>
    public static (bool Ok, string Detail) Check()
    {
        var front = Path.Combine(AppContext.BaseDirectory, FileName);
        if (!File.Exists(front))
            return (false, "slow path: no native engram-front here, so every one-shot search or add starts .NET (about 150 ms); install with install.sh (see README, Install)");
        var onPath = FirstOnPath("engram");
        if (onPath is not null && SameFile(onPath, front))
            return (true, $"native engram-front ({onPath}): search and add answered by the running worker without starting .NET");
        return (false, $"slow path: 'engram' on PATH is {onPath ?? "missing"}, not {front}, so one-shot search and add start .NET; link it: ln -sf '{front}' ~/.local/bin/engram");
    }

    private static string? FirstOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, name))
            .FirstOrDefault(File.Exists);

    private static bool SameFile(string a, string b) => RealPath(a) == RealPath(b);

    private static string RealPath(string path)
    {
        try
        {
            return new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
        }
        catch (IOException)
        {
            return Path.GetFullPath(path);
        }
    }
}
