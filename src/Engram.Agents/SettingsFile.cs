using Engram.Core;

namespace Engram.Agents;

/// <summary>
/// Reads and rewrites another program's settings file with care: a backup before any change, an atomic
/// replace (temp file, then rename) that keeps the file's permissions and follows a symlink to the real
/// file, and a re-read just before writing so that a concurrent writer's change is never overwritten.
/// </summary>
internal static class SettingsFile
{
    public const string BackupSuffix = ".engram-backup";

    /// <summary>Beside a file that Engram's install created, so uninstall can remove the file instead of leaving it empty.</summary>
    public const string CreatedSuffix = ".engram-created";
    private const int Attempts = 3;

    /// <summary>
    /// Applies <paramref name="edit"/> to the file's text (UTF-8, no byte order mark; empty when the file is
    /// missing) and writes the result if it differs. With <paramref name="createIfMissing"/> false, a missing
    /// file is left missing.
    /// </summary>
    public static SettingsEditResult Edit(string path, bool createIfMissing, Func<byte[], byte[]> edit)
    {
        var fullPath = Path.GetFullPath(path);
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var original = ReadBytes(fullPath);
            if (original is null && !createIfMissing) return new SettingsEditResult(fullPath, false, null);

            var hasBom = original is not null && original.AsSpan().StartsWith("\uFEFF"u8);
            var text = original is null ? [] : hasBom ? original[3..] : original;
            var edited = edit(text);
            if (original is not null && edited.AsSpan().SequenceEqual(text)) return new SettingsEditResult(fullPath, false, null);

            var content = hasBom ? [.. "\uFEFF"u8, .. edited] : edited;
            var target = ResolveTarget(fullPath);
            var current = ReadBytes(fullPath);
            if (!SameContent(original, current)) continue; // someone else wrote meanwhile: start again from their version

            string? backup = null;
            if (original is not null)
            {
                backup = fullPath + BackupSuffix;
                WriteAtomically(backup, original, modeFrom: target);
            }
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                WriteAtomically(fullPath + CreatedSuffix, [], modeFrom: null);
            }
            WriteAtomically(target, content, modeFrom: original is null ? null : target);
            return new SettingsEditResult(fullPath, true, backup);
        }
        throw new EngramException(
            $"{fullPath} kept changing while Engram was editing it. Close the programs that write it (such as Claude Code) and run the command again.");
    }

    /// <summary>
    /// After an uninstall: deletes the file when Engram's install created it and <paramref name="isEmpty"/> says
    /// nothing else was added since, so the folder is as it was. Returns whether it did.
    /// </summary>
    public static bool DeleteIfCreatedAndEmpty(string path, Func<byte[], bool> isEmpty)
    {
        var fullPath = Path.GetFullPath(path);
        var marker = fullPath + CreatedSuffix;
        if (!File.Exists(marker)) return false;
        var content = ReadBytes(fullPath);
        if (content is not null && !isEmpty(content)) return false;
        TryDelete(fullPath);
        TryDelete(marker);
        return true;
    }

    /// <summary>Whether a JSON file holds nothing: blank, or an empty object.</summary>
    public static bool IsEmptyJson(byte[] content)
    {
        var text = System.Text.Encoding.UTF8.GetString(content).Trim();
        return text.Length == 0 || text.Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal) == "{}";
    }

    /// <summary>The file's bytes, or null when it does not exist.</summary>
    public static byte[]? ReadBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new EngramException($"Engram cannot read {path}: {e.Message}. Check the file's permissions.", e);
        }
    }

    private static bool SameContent(byte[]? a, byte[]? b) =>
        a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    /// <summary>The file a symlink points to (so a dotfiles link stays a link), or the path itself.</summary>
    private static string ResolveTarget(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is null) return path;
        return info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
    }

    private static void WriteAtomically(string path, byte[] content, string? modeFrom)
    {
        var directory = Path.GetDirectoryName(path)!;
        var temp = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            if (modeFrom is not null && !OperatingSystem.IsWindows() && File.Exists(modeFrom))
            {
                File.SetUnixFileMode(temp, File.GetUnixFileMode(modeFrom));
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            throw new EngramException($"Engram could not write {path}: {e.Message}. Check that the folder is writable.", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
