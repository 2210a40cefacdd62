using System.Text;

namespace Engram.Agents.Capture;

/// <summary>
/// Session-start answers kept ready by the worker, one file per project in <c>$ENGRAM_HOME/context</c>
/// (owner-only), so the native hook can answer SessionStart without starting the .NET runtime.
/// </summary>
/// <remarks>
/// <para>A file is named by a 64-bit FNV-1a hash of the project key and holds a header (a format line,
/// the project key, the working directory the context was built for, the files the context's staleness
/// marks were checked against with their size and time) then the exact bytes the hook prints. The key in the header is checked on read, so a hash collision is a miss, never another
/// project's memories.</para>
/// <para>A file is only served when it cannot be stale: no event waits in the spool, the worker is not
/// in the middle of a drain (<c>.busy</c>), and either the worker runs (it rebuilds a project's file
/// whenever the store's change feed moves) or the database is exactly as the worker left it when it
/// stopped (<c>.stamp</c>: size and time of the database files), and no watched source file changed
/// since (so "possibly stale" marks are never out of date). Anything else falls back to building the
/// context the slow way.</para>
/// This file is compiled into the native hook too: it uses the base library only.
/// </remarks>
public sealed class ContextCache(string homeRoot)
{
    private const string FormatLine = "engram-context 2";
    private const char FileSeparator = '\u001e';
    private const string Extension = ".ctx";

    public string Folder { get; } = Path.Combine(homeRoot, "context");

    private string BusyMarker => Path.Combine(Folder, ".busy");

    private string StampPath => Path.Combine(Folder, ".stamp");

    public string FileFor(string projectKey) => Path.Combine(Folder, Fnv1a(projectKey).ToString("x16", System.Globalization.CultureInfo.InvariantCulture) + Extension);

    /// <summary>Whether the worker keeps an answer for this project (current or not).</summary>
    public bool Has(string projectKey) => File.Exists(FileFor(projectKey));

    /// <summary>Stores the hook output for a project (an empty output means "nothing to inject"), atomically.</summary>
    /// <param name="watchedFiles">Absolute paths whose change makes this answer stale (see <c>BuiltContext</c>).</param>
    public void Write(string projectKey, string cwd, ReadOnlySpan<byte> output, IReadOnlyList<string>? watchedFiles = null)
    {
        if (projectKey.Contains('\n', StringComparison.Ordinal) || cwd.Contains('\n', StringComparison.Ordinal)) return;
        var watch = new StringBuilder();
        foreach (var file in watchedFiles ?? [])
        {
            // A path that cannot be written on one header line cannot be watched: then the answer is not kept.
            if (file.AsSpan().IndexOfAny('\n', '\t', FileSeparator) >= 0) return;
            if (watch.Length > 0) watch.Append(FileSeparator);
            watch.Append(file).Append('\t').Append(FileSignature(file));
        }
        EnsureFolder();
        var path = FileFor(projectKey);
        var temp = Path.Combine(Folder, "." + Path.GetFileName(path) + "." + Environment.ProcessId + ".tmp");
        using (var file = new FileStream(temp, OwnerOnly(FileMode.Create)))
        {
            file.Write(Encoding.UTF8.GetBytes($"{FormatLine}\n{projectKey}\n{cwd}\n{watch}\n"));
            file.Write(output);
        }
        File.Move(temp, path, overwrite: true);
    }

    /// <summary>The projects that have a file: their key and the working directory it was built for.</summary>
    public IReadOnlyList<(string ProjectKey, string Cwd)> Entries()
    {
        var entries = new List<(string, string)>();
        if (!Directory.Exists(Folder)) return entries;
        foreach (var path in Directory.EnumerateFiles(Folder, "*" + Extension))
        {
            try
            {
                if (ReadFile(path) is { } entry) entries.Add((entry.Key, entry.Cwd));
            }
            catch (IOException)
            {
                // Replaced or removed while listing: the next pass sees it.
            }
        }
        return entries;
    }

    /// <summary>
    /// What the hook prints for this project when a current answer is ready (possibly empty: nothing to
    /// inject), or null when it must be built the slow way.
    /// </summary>
    /// <param name="spool">Where captured events wait (with its in-memory fallback).</param>
    /// <param name="ownSpoolId">The event this hook has just spooled, which does not count as pending.</param>
    /// <param name="workerRunning">Whether the worker runs (asked only when everything else allows an answer).</param>
    public byte[]? TryReady(string projectKey, Spool spool, string? ownSpoolId, Func<bool> workerRunning)
    {
        var path = FileFor(projectKey);
        if (!File.Exists(path) || File.Exists(BusyMarker)) return null;
        var own = ownSpoolId is null ? null : ownSpoolId + ".event.json";
        foreach (var folder in new[] { spool.Folder, spool.FallbackFolder })
        {
            if (folder is null || !Directory.Exists(folder)) continue;
            foreach (var pending in Directory.EnumerateFiles(folder, "*.event.json"))
            {
                if (!string.Equals(Path.GetFileName(pending), own, StringComparison.Ordinal)) return null;
            }
        }
        if (!workerRunning() && !StampMatches()) return null;
        var entry = ReadFile(path);
        return entry is not null && string.Equals(entry.Key, projectKey, StringComparison.Ordinal) && !entry.WatchedFilesChanged() ? entry.Output : null;
    }

    /// <summary>True when a file the project's stored answer was checked against has changed since (or there is no answer).</summary>
    public bool WatchedFilesChanged(string projectKey)
    {
        var entry = ReadFile(FileFor(projectKey));
        return entry is null || entry.WatchedFilesChanged();
    }

    /// <summary>Beside a project's context: the memories in it (written by the worker, read back when the hook served it).</summary>
    public string InjectedFileFor(string projectKey) => Path.ChangeExtension(FileFor(projectKey), ".injected");

    private string ServedFile(string spoolId) => Path.Combine(Folder, "served", spoolId);

    /// <summary>
    /// Noted by the hook after it printed a ready context for the session-start event <paramref name="spoolId"/>:
    /// the digest of what it printed, so the worker records what was injected (and only that).
    /// </summary>
    public void MarkServed(string spoolId, ReadOnlySpan<byte> output)
    {
        var folder = Path.Combine(Folder, "served");
        if (!Directory.Exists(folder)) Engram.Core.OwnerOnly.CreateDirectory(folder);
        using var file = new FileStream(ServedFile(spoolId), OwnerOnly(FileMode.Create));
        file.Write(Encoding.UTF8.GetBytes(Digest(output)));
    }

    /// <summary>The digest the hook noted for a served session-start event, removing the note; null when the hook did not serve it from here.</summary>
    public string? TakeServed(string spoolId)
    {
        var path = ServedFile(spoolId);
        if (!File.Exists(path)) return null;
        var digest = File.ReadAllText(path);
        File.Delete(path);
        return digest;
    }

    /// <summary>FNV-1a of the bytes, as 16 hex digits: names one version of a context's output.</summary>
    public static string Digest(ReadOnlySpan<byte> output) => Fnv1a(output).ToString("x16", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Set by the worker before it ingests events; cleared once the contexts are rebuilt.</summary>
    public void MarkBusy()
    {
        EnsureFolder();
        using var _ = new FileStream(BusyMarker, OwnerOnly(FileMode.OpenOrCreate));
    }

    public void ClearBusy()
    {
        if (Directory.Exists(Folder)) File.Delete(BusyMarker);
    }

    /// <summary>Written by the worker after it closed the database: the files as it left them.</summary>
    public void WriteStamp(string? databasePath)
    {
        if (databasePath is null || !File.Exists(databasePath))
        {
            if (Directory.Exists(Folder)) File.Delete(StampPath);
            return;
        }
        EnsureFolder();
        var temp = StampPath + "." + Environment.ProcessId + ".tmp";
        File.WriteAllText(temp, databasePath + "\n" + Signature(databasePath) + "\n");
        File.Move(temp, StampPath, overwrite: true);
    }

    /// <summary>True when nothing wrote to the database since the worker stopped.</summary>
    public bool StampMatches()
    {
        if (!File.Exists(StampPath)) return false;
        var lines = File.ReadAllText(StampPath).Split('\n');
        return lines.Length >= 2 && lines[0].Length > 0 && string.Equals(lines[1], Signature(lines[0]), StringComparison.Ordinal);
    }

    private static string Signature(string databasePath)
    {
        var parts = new StringBuilder();
        foreach (var suffix in new[] { "", "-wal", "-journal" })
        {
            var info = new FileInfo(databasePath + suffix);
            parts.Append(info.Exists ? $"{info.Length}@{info.LastWriteTimeUtc.Ticks};" : "-;");
        }
        return parts.ToString();
    }

    /// <summary>Size and modification time, or "-" for a missing file: a cheap stat, no read.</summary>
    private static string FileSignature(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? $"{info.Length}@{info.LastWriteTimeUtc.Ticks}" : "-";
    }

    private sealed record Entry(string Key, string Cwd, string Watched, byte[] Output)
    {
        public bool WatchedFilesChanged()
        {
            foreach (var item in Watched.Split(FileSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var tab = item.LastIndexOf('\t');
                if (tab < 0 || !string.Equals(item[(tab + 1)..], FileSignature(item[..tab]), StringComparison.Ordinal)) return true;
            }
            return false;
        }
    }

    private static Entry? ReadFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        var span = bytes.AsSpan();
        var lines = new string[4];
        var offset = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var end = span[offset..].IndexOf((byte)'\n');
            if (end < 0) return null;
            lines[i] = Encoding.UTF8.GetString(span.Slice(offset, end));
            offset += end + 1;
        }
        return lines[0] == FormatLine ? new Entry(lines[1], lines[2], lines[3], span[offset..].ToArray()) : null;
    }

    private void EnsureFolder() => Engram.Core.OwnerOnly.CreateDirectory(Folder);

    private static FileStreamOptions OwnerOnly(FileMode mode)
    {
        var options = new FileStreamOptions { Mode = mode, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return options;
    }

    /// <summary>FNV-1a over the key's UTF-8 bytes: stable across processes and runtimes (string.GetHashCode is not).</summary>
    private static ulong Fnv1a(string text) => Fnv1a(Encoding.UTF8.GetBytes(text));

    private static ulong Fnv1a(ReadOnlySpan<byte> bytes)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        return hash;
    }
}
