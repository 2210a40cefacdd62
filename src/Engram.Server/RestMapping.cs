using System.Text.Json;
using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Serialization;

namespace Engram.Server;

/// <summary>Conversions between the REST shapes and Engram's model.</summary>
internal static class RestMapping
{
    /// <summary>A memory as the API shows it; the states of its files are checked now (a hash per file named).</summary>
    public static MemoryItem Item(Memory m, double? score = null, string? eventName = null, string? explanation = null, Core.Services.FileFreshness? freshness = null) =>
        MemoryItem.From(m, freshness ?? new Core.Services.FileFreshness(), score, eventName, explanation);

    /// <summary>
    /// An expiry from a body: <c>expires_at</c> or Mem0's <c>expiration_date</c> (an ISO date or time). On an
    /// update, "never" removes it (<paramref name="clear"/>).
    /// </summary>
    public static DateTimeOffset? Expiry(string? expiresAt, string? expirationDate, out bool clear)
    {
        var text = Blank(expiresAt) ?? Blank(expirationDate);
        clear = string.Equals(text, "never", StringComparison.OrdinalIgnoreCase);
        return clear ? null : MemoryEndpoints.Date(text, expiresAt is null ? "expiration_date" : "expires_at");
    }

    /// <summary>A file named in a request, hashed as it is now; a relative or unreadable path is refused by name.</summary>
    public static FileState FileState(string path) =>
        !System.IO.Path.IsPathRooted(path)
            ? throw new EngramException($"file '{path}' is not an absolute path; send files as absolute paths so their state can be checked later")
            : Core.Services.FileFreshness.Capture(System.IO.Path.GetFullPath(path))
              ?? throw new EngramException($"file '{path}' cannot be read (a folder, too large, or not permitted), so its state cannot be recorded");

    /// <summary>Metadata values of any JSON type: strings as they are, anything else as its JSON text.</summary>
    public static Dictionary<string, string> Metadata(Dictionary<string, JsonElement>? metadata, string field = "metadata")
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in metadata ?? [])
        {
            if (string.IsNullOrWhiteSpace(key)) throw new EngramException($"{field} has an empty key");
            result[key] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        }
        return result;
    }

    public static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Mem0 calls the session run_id; both names are accepted, and they must agree when both are given.</summary>
    public static string? Session(string? sessionId, string? runId)
    {
        var session = Blank(sessionId);
        var run = Blank(runId);
        if (session is not null && run is not null && session != run)
        {
            throw new EngramException($"session_id '{session}' and run_id '{run}' differ; they name the same thing, send one");
        }
        return session ?? run;
    }
}
