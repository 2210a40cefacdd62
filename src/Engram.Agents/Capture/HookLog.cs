using System.Globalization;

namespace Engram.Agents.Capture;

/// <summary>
/// Where hooks and the worker write what went wrong: <c>$ENGRAM_HOME/logs/engram-YYYY-MM-DD.log</c>.
/// Hooks never print errors (stdout is the agent's context, and stderr may be shown to the user),
/// so this file is the only trace; <c>engram doctor</c> shows its last lines.
/// </summary>
public sealed class HookLog(string folder)
{
    public string Folder { get; } = folder;

    public string CurrentFile(DateTimeOffset now) =>
        Path.Combine(Folder, $"engram-{now.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.log");

    public void Write(string level, string source, string message)
    {
        try
        {
            Engram.Core.OwnerOnly.CreateDirectory(Folder);
            var now = DateTimeOffset.UtcNow;
            var line = $"{now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)} {level} [{source}] {message.ReplaceLineEndings(" | ")}\n";
            Engram.Core.OwnerOnly.AppendAllText(CurrentFile(now), line);
        }
        catch (IOException)
        {
            // Logging must never turn into the failure.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public void Error(string source, string message) => Write("ERROR", source, message);

    public void Info(string source, string message) => Write("INFO", source, message);

    /// <summary>The last error lines across the newest log files, newest last.</summary>
    public IReadOnlyList<string> LastErrors(int count)
    {
        if (!Directory.Exists(Folder)) return [];
        var lines = new List<string>();
        foreach (var file in Directory.EnumerateFiles(Folder, "engram-*.log").Order(StringComparer.Ordinal).TakeLast(3))
        {
            lines.AddRange(File.ReadLines(file).Where(l => l.Contains(" ERROR ", StringComparison.Ordinal)));
        }
        return lines.TakeLast(count).ToList();
    }
}
