using Engram.Core;
using Microsoft.Data.Sqlite;

namespace Engram.Sqlite;

/// <summary>Turns SQLite's error codes into messages that name the file and what to do.</summary>
internal static class SqliteErrors
{
    public static EngramException Translate(SqliteException ex, string path) => ex.SqliteErrorCode switch
    {
        5 or 6 => new EngramException($"the database {path} stayed locked by another process; try again, or stop the process holding it", ex),
        8 => new EngramException($"the database {path} is read-only; check its permissions", ex),
        10 => new EngramException($"could not read or write the database {path}: {ex.Message}", ex),
        11 or 26 => new EngramException($"the database {path} is damaged or is not an Engram database; move it aside (Engram will create a new one) or restore a backup", ex),
        13 => new EngramException($"the disk holding {path} is full; free some space and try again (nothing was written)", ex),
        14 => new EngramException($"could not open the database {path}; check that its folder exists and is writable", ex),
        _ => new EngramException($"database error in {path}: {ex.Message}", ex),
    };
}
