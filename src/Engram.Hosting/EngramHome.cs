namespace Engram.Hosting;

/// <summary>Engram's home folder: <c>$ENGRAM_HOME</c>, else <c>~/.engram</c>. Holds the database, settings and logs.</summary>
public sealed record EngramHome(string Root)
{
    public const string EnvironmentVariable = "ENGRAM_HOME";

    public string SettingsPath => Path.Combine(Root, "settings.json");
    public string DatabasePath => Path.Combine(Root, "engram.db");
    public string LogsFolder => Path.Combine(Root, "logs");

    /// <summary>The home named by the environment, without touching the disk.</summary>
    public static EngramHome Resolve()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return new EngramHome(Path.GetFullPath(ExpandTilde(fromEnvironment.Trim())));
        }
        return new EngramHome(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".engram"));
    }

    private static string ExpandTilde(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..]
            : path;
}
