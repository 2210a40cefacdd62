using System.Text;
using System.Text.Json;
using Engram.Core;

namespace Engram.McpFront;

/// <summary>
/// The managed server's answers to the requests that only describe it (<c>initialize</c>, <c>server/discover</c>,
/// the first page of <c>tools/list</c> and of the resource lists), one per request and protocol version, kept in
/// <c>$ENGRAM_HOME/cache/mcp-answers.json</c> for one build of engram (the publish keeps a first set beside
/// engram-mcp). They hold the server's description
/// and tool schemas, never memories. A different build (another engram.dll) starts an empty cache; an
/// answer that changed within a build is replaced when the server gives it.
/// </summary>
internal sealed class AnswerCache
{
    private readonly string _path;
    private readonly string _build;
    private readonly Dictionary<string, string> _answers = new(StringComparer.Ordinal);
    private readonly object _gate = new();

    private AnswerCache(string path, string build)
    {
        _path = path;
        _build = build;
    }

    /// <summary>
    /// The cache for the engram at <paramref name="managedFile"/>: the one in Engram's home, else the answers the
    /// publish kept beside this executable (<c>mcp-answers.json</c>, so the first session after an install is
    /// fast too); empty when neither was kept for this build or they cannot be read.
    /// </summary>
    public static AnswerCache Open(string homeRoot, string managedFile, string[] prefix)
    {
        var cache = new AnswerCache(Path.Combine(homeRoot, "cache", "mcp-answers.json"), BuildOf(managedFile, prefix));
        if (!cache.Load(cache._path)) cache.Load(Path.Combine(AppContext.BaseDirectory, "mcp-answers.json"));
        return cache;
    }

    /// <summary>Takes the answers of a file kept for this build; false when it is missing, unreadable or for another build.</summary>
    private bool Load(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            if (root.GetProperty("build").GetString() != _build) return false;
            foreach (var answer in root.GetProperty("answers").EnumerateObject()) _answers[answer.Name] = answer.Value.GetRawText();
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false; // missing or unreadable: the server answers this time, and its answers are kept
        }
    }

    /// <summary>The kept answer (the raw JSON of its result) to a request, such as "tools/list@2025-06-18".</summary>
    public string? Get(string request)
    {
        lock (_gate) return _answers.GetValueOrDefault(request);
    }

    public void Record(string request, string result)
    {
        lock (_gate)
        {
            if (_answers.GetValueOrDefault(request) == result) return;
            _answers[request] = result;
            Save();
        }
    }

    /// <summary>Written whole to a new file, then renamed over the old one: a reader never sees half of it.</summary>
    private void Save()
    {
        try
        {
            OwnerOnly.CreateDirectory(Path.GetDirectoryName(_path)!);
            var text = new StringBuilder();
            text.Append("{\"build\":").Append(JsonSerializer.Serialize(_build, AnswerJson.Default.String)).Append(",\"answers\":{");
            var first = true;
            foreach (var (request, result) in _answers)
            {
                if (!first) text.Append(',');
                first = false;
                text.Append(JsonSerializer.Serialize(request, AnswerJson.Default.String)).Append(':').Append(result);
            }
            text.Append("}}");
            var temporary = $"{_path}.{Environment.ProcessId}.tmp";
            using (var stream = new FileStream(temporary, OwnerOnly.NewFile(FileMode.Create)))
            {
                stream.Write(Encoding.UTF8.GetBytes(text.ToString()));
            }
            File.Move(temporary, _path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A cache only: the next start asks the server again.
        }
    }

    /// <summary>
    /// Which engram answers: its entry file's name, size and time of last change (a new install changes them;
    /// moving the folder whole, as install.sh does, keeps them).
    /// </summary>
    private static string BuildOf(string managedFile, string[] prefix)
    {
        var entry = prefix.Length > 0 ? prefix[0] : managedFile;
        var resolved = File.Exists(entry + ".dll") ? entry + ".dll" : entry;
        try
        {
            var info = new FileInfo(resolved);
            return info.Exists ? $"{info.Name}|{info.Length}|{info.LastWriteTimeUtc.Ticks}" : resolved;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return resolved;
        }
    }
}
