using System.Globalization;

namespace Engram.Agents.Capture;

/// <summary>
/// Where hooks put what they cannot write to a full disk: a per-user, per-home folder in memory
/// (<c>/dev/shm</c>), so an event and the error that explains it survive until the worker or
/// <c>engram doctor</c> reads them. Null where there is no such file system.
/// </summary>
public static class MemoryBacked
{
    private const int DiskFull = 28, QuotaExceeded = 122; // ENOSPC, EDQUOT

    public static bool IsDiskFull(IOException ex) => (ex.HResult & 0xFFFF) is DiskFull or QuotaExceeded;

    /// <summary>The fallback for one purpose ("spool", "logs") of one Engram home.</summary>
    public static string? FolderFor(string homeRoot, string purpose)
    {
        if (OperatingSystem.IsWindows() || !Directory.Exists("/dev/shm")) return null;
        // Several homes (tests, users with ENGRAM_HOME) must not share one fallback: keyed by a hash of the path.
        var hash = 2166136261u;
        foreach (var c in Path.GetFullPath(homeRoot)) hash = (hash ^ c) * 16777619u;
        return Path.Combine("/dev/shm", $"engram-{Environment.UserName}-{hash.ToString("x8", CultureInfo.InvariantCulture)}", purpose);
    }
}
