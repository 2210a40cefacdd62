namespace Engram.Core;

/// <summary>
/// Files and folders only their owner can read: memories, logs and captured events are private to the user
/// who made them, whatever the umask. No-ops on Windows, where the profile's ACLs already do this.
/// </summary>
public static class OwnerOnly
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOther = (UnixFileMode)0b000_111_111;

    /// <summary>Creates the folder, and each missing folder above it, readable by the owner only.</summary>
    public static void CreateDirectory(string path)
    {
        if (Directory.Exists(path)) return;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        var parent = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(parent)) CreateDirectory(parent);
        Directory.CreateDirectory(path, FolderMode);
    }

    /// <summary>Options for a new file readable by the owner only.</summary>
    public static FileStreamOptions NewFile(System.IO.FileMode mode = System.IO.FileMode.CreateNew, FileAccess access = FileAccess.Write)
    {
        var options = new FileStreamOptions { Mode = mode, Access = access, Share = FileShare.Read };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = FileMode;
        return options;
    }

    /// <summary>Appends text to a file, creating it owner-only.</summary>
    public static void AppendAllText(string path, string text)
    {
        using var stream = new FileStream(path, NewFile(System.IO.FileMode.Append));
        stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Whether group or others may read, write or enter it (false on Windows or when it does not exist).</summary>
    public static bool IsOpenToOthers(string path) =>
        !OperatingSystem.IsWindows() && (File.Exists(path) || Directory.Exists(path)) && (File.GetUnixFileMode(path) & GroupOrOther) != 0;

    /// <summary>Takes group and other permissions away from an existing file or folder; false when it could not.</summary>
    public static bool Restrict(string path)
    {
        if (OperatingSystem.IsWindows() || !IsOpenToOthers(path)) return true;
        try
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) & ~GroupOrOther);
            return true;
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return false; // someone else's file: doctor reports it
        }
    }
}
