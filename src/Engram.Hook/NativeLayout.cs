namespace Engram.Hook;

/// <summary>
/// Where the native executables (engram-hook, engram-mcp) find the managed engram and Engram's home.
/// One file compiled into both, so they always agree.
/// </summary>
internal static class NativeLayout
{
    /// <summary>
    /// The managed engram: <c>ENGRAM_CLI</c> (an executable, or an engram.dll to run with dotnet), else the
    /// engram beside this executable (the install puts them together), else <c>engram</c> on PATH.
    /// </summary>
    public static (string File, string[] Prefix) ManagedCli()
    {
        static (string, string[]) Of(string path) =>
            path.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? ("dotnet", [path]) : (path, []);
        if (Environment.GetEnvironmentVariable("ENGRAM_CLI") is { Length: > 0 } configured) return Of(configured);
        var folder = AppContext.BaseDirectory;
        var apphost = Path.Combine(folder, OperatingSystem.IsWindows() ? "engram.exe" : "engram");
        if (File.Exists(apphost)) return (apphost, []);
        var dll = Path.Combine(folder, "engram.dll");
        return File.Exists(dll) ? Of(dll) : ("engram", []);
    }

    /// <summary><c>$ENGRAM_HOME</c>, else <c>~/.engram</c> (as <c>EngramHome.Resolve</c>).</summary>
    public static string HomeRoot()
    {
        var configured = Environment.GetEnvironmentVariable("ENGRAM_HOME");
        var profile = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (string.IsNullOrWhiteSpace(configured)) return Path.Combine(profile, ".engram");
        var path = configured.Trim();
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal)) path = profile + path[1..];
        return Path.GetFullPath(path);
    }
}
