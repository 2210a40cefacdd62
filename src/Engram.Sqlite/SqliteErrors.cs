using Engram.Core;
using Microsoft.Data.Sqlite;

namespace Engram.Sqlite;

/// <summary>Turns SQLite's error codes into messages that name the file and what to do.</summary>
internal static class SqliteErrors
{
    public static StoreUnavailableException Translate(SqliteException ex, string path) => ex.SqliteErrorCode switch
    {
        5 or 6 => new StoreUnavailableException($"the database {path} stayed locked by another process; try again, or stop the process holding it", ex),
        8 when DiskIsFull(path) => DiskFull(path, ex),
        8 => new StoreUnavailableException($"the database {path} is read-only; check its permissions", ex),
        // An I/O error on a full disk (growing the WAL or its index) is the full disk, and should say so.
        10 when DiskIsFull(path) => DiskFull(path, ex),
        10 => new StoreUnavailableException($"could not read or write the database {path}: {ex.Message}", ex),
        11 or 26 => new StoreUnavailableException($"the database {path} is damaged or is not an Engram database; move it aside (Engram will create a new one) or restore a backup", ex),
        13 => DiskFull(path, ex),
        14 => new StoreUnavailableException($"could not open the database {path}; check that its folder exists and is writable", ex),
        _ => new StoreUnavailableException($"database error in {path}: {ex.Message}", ex),
    };

    private static StoreUnavailableException DiskFull(string path, SqliteException ex) =>
        new($"the disk holding {path} is full; free some space and try again (nothing was written)", ex);

    public static bool DiskIsFull(string path)
    {
        try
        {
            return new DriveInfo(Path.GetDirectoryName(Path.GetFullPath(path))!).AvailableFreeSpace < 64 * 1024;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
