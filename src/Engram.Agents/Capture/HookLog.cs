using System.Globalization;

namespace Engram.Agents.Capture;

/// <summary>
/// Where hooks and the worker write what went wrong: <c>$ENGRAM_HOME/logs/engram-YYYY-MM-DD.log</c>.
/// Hooks never print errors (stdout is the agent's context, and stderr may be shown to the user),
/// so this file is the only trace; <c>engram doctor</c> shows its last lines. Every line passes the
/// privacy filter before it is written.
/// </summary>
public sealed class HookLog(string folder, string? fallbackFolder = null, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public string Folder { get; } = folder;

    /// <summary>Memory-backed folder for lines that cannot be written to a full disk (read by <see cref="LastErrors"/>).</summary>
    public string? FallbackFolder { get; } = fallbackFolder;

    /// <summary>The log of an Engram home, with its memory-backed fallback.</summary>
    public static HookLog ForHome(string homeRoot) => new(Path.Combine(homeRoot, "logs"), MemoryBacked.FolderFor(homeRoot, "logs"));

    public string CurrentFile(DateTimeOffset now) =>
        Path.Combine(Folder, $"engram-{now.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.log");

    public void Write(string level, string source, string message)
    {
        try
        {
            var now = _time.GetUtcNow();
#if ENGRAM_HOOK
            // The native hook logs only its own messages (no payload text), and stays free of the filter's regexes.
            var safe = message;
#else
            // A message may quote what failed (a command, a payload, an exception text): no secret may reach the file.
            var safe = Core.Privacy.PrivacyFilter.ApplyToRawText(message);
#endif
            var line = $"{now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)} {level} [{source}] {safe.ReplaceLineEndings(" | ")}\n";
            try
            {
                Append(Folder, now, line);
            }
            catch (IOException ex) when (FallbackFolder is not null && MemoryBacked.IsDiskFull(ex))
            {
                Append(FallbackFolder, now, line);
            }
        }
        catch (IOException)
        {
            // Logging must never turn into the failure.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void Append(string folder, DateTimeOffset now, string line)
    {
        Engram.Core.OwnerOnly.CreateDirectory(folder);
        Engram.Core.OwnerOnly.AppendAllText(Path.Combine(folder, $"engram-{now.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.log"), line);
    }

    public void Error(string source, string message) => Write("ERROR", source, message);

    public void Info(string source, string message) => Write("INFO", source, message);

    /// <summary>The last error lines across the newest log files, newest last.</summary>
    public IReadOnlyList<string> LastErrors(int count)
    {
        var lines = new List<string>();
        foreach (var folder in FallbackFolder is null ? [Folder] : new[] { Folder, FallbackFolder })
        {
            if (!Directory.Exists(folder)) continue;
            foreach (var file in Directory.EnumerateFiles(folder, "engram-*.log").Order(StringComparer.Ordinal).TakeLast(3))
            {
                lines.AddRange(File.ReadLines(file).Where(l => l.Contains(" ERROR ", StringComparison.Ordinal)));
            }
        }
        // Lines start with their time, so ordering sorts the two folders' lines together.
        return lines.Order(StringComparer.Ordinal).TakeLast(count).ToList();
    }
}
