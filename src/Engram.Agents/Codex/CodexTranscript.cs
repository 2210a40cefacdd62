using System.Collections.Concurrent;
using System.Text.Json;

namespace Engram.Agents.Codex;

/// <summary>
/// Exit codes of commands from a Codex rollout transcript (JSONL): a line
/// <c>{"type":"event_msg","payload":{"type":"item_completed","item":{"type":"CommandExecution","id":CALL,"exit_code":N,...}}}</c>
/// is written before the call's PostToolUse hook runs. Files are read once and then only what was appended.
/// </summary>
internal static class CodexTranscript
{
    private sealed class Seen
    {
        public long Offset { get; set; }
        public Dictionary<string, int> ExitCodes { get; } = new(StringComparer.Ordinal);
    }

    private static readonly ConcurrentDictionary<string, Seen> Files = new(StringComparer.Ordinal);

    /// <summary>The exit code of the call, or null when the transcript is gone or does not have it.</summary>
    public static int? ExitCode(string transcriptPath, string callId)
    {
        var seen = Files.GetOrAdd(transcriptPath, static _ => new Seen());
        lock (seen)
        {
            if (seen.ExitCodes.TryGetValue(callId, out var known)) return known;
            try
            {
                using var stream = new FileStream(transcriptPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                if (stream.Length < seen.Offset) seen.Offset = 0; // replaced
                var fresh = new byte[stream.Length - seen.Offset];
                stream.Position = seen.Offset;
                stream.ReadExactly(fresh);
                // Only complete lines: the last one may still be being written.
                var end = Array.LastIndexOf(fresh, (byte)'\n') + 1;
                foreach (var line in System.Text.Encoding.UTF8.GetString(fresh, 0, end).Split('\n'))
                {
                    if (line.Contains("\"exit_code\"", StringComparison.Ordinal)) Record(line, seen.ExitCodes);
                }
                seen.Offset += end;
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
            return seen.ExitCodes.TryGetValue(callId, out var code) ? code : null;
        }
    }

    private static void Record(string line, Dictionary<string, int> exitCodes)
    {
        try
        {
            using var document = JsonDocument.Parse(line);
            if (!document.RootElement.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object) return;
            if (!payload.TryGetProperty("item", out var item) || item.ValueKind != JsonValueKind.Object) return;
            if (item.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
                && item.TryGetProperty("exit_code", out var code) && code.TryGetInt32(out var exit))
            {
                exitCodes[id.GetString()!] = exit;
            }
        }
        catch (JsonException)
        {
        }
    }
}
