using System.Globalization;
using System.Text;
using System.Text.Json;
using Engram.Core.Model;
using Engram.Core.Serialization;

namespace Engram.Cli;

/// <summary>Writes command results: one JSON document for --json, short readable lines otherwise.</summary>
internal static class Output
{
    // Built on use, not in the type's initializer: setting up the encoder cost every run, JSON or not, a few ms.
    private static JsonWriterOptions Indented => new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly AsyncLocal<(TextWriter Out, TextWriter Error)?> Captured = new();
    private static TextWriter _out = Console.Out;
    private static TextWriter _error = Console.Error;

    public static TextWriter Out
    {
        get => Captured.Value?.Out ?? _out;
        set => _out = value;
    }

    public static TextWriter Error
    {
        get => Captured.Value?.Error ?? _error;
        set => _error = value;
    }

    /// <summary>Sends this async flow's output to the given writers (a command the worker runs for a client); others keep the console.</summary>
    public static void CaptureInThisFlow(TextWriter output, TextWriter error) => Captured.Value = (output, error);

    /// <summary>Writes one JSON document built by <paramref name="write"/>, then a newline.</summary>
    public static void Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Indented))
        {
            write(writer);
        }
        Out.WriteLine(Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>One memory in the shape REST answers with (<see cref="MemoryItem"/>), its files' states checked now, with its access statistics.</summary>
    public static void JsonMemory(Memory memory) =>
        Json(w => JsonSerializer.Serialize(w, MemoryItem.From(memory, new Core.Services.FileFreshness()).WithAccessOf(memory), EngramJsonContext.Default.MemoryItem));

    /// <summary>Memories as REST's list, search and add answer: <c>{"results": [...]}</c>.</summary>
    public static void JsonMemories(List<MemoryItem> items) =>
        Json(w => JsonSerializer.Serialize(w, new MemoryListResponse { Results = items }, EngramJsonContext.Default.MemoryListResponse));

    public static void Line(string text = "") => Out.WriteLine(text);

    /// <summary>"01J...  fact  2026-03-01  text": one memory on one line, text cut to fit.</summary>
    public static string Summary(Memory memory, int width = 90)
    {
        var text = memory.Title is { Length: > 0 } title ? $"{title}: {memory.Content}" : memory.Content;
        var superseded = memory.IsCurrent ? "" : " (superseded)";
        return $"{memory.Id}  {memory.Kind.ToWire(),-11} {Date(memory.ValidFrom)}  {Shorten(text, width)}{superseded}";
    }

    public static string Date(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Shorten(string text, int width)
    {
        var oneLine = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return oneLine.Length <= width ? oneLine : string.Concat(oneLine.AsSpan(0, width - 1), "…");
    }

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.0} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / (1024.0 * 1024):0.0} MiB",
        _ => $"{bytes / (1024.0 * 1024 * 1024):0.00} GiB",
    };

    /// <summary>Every field of a memory, for <c>engram get</c>.</summary>
    public static void Details(Memory m)
    {
        Line($"id:          {m.Id}");
        Line($"kind:        {m.Kind.ToWire()}" + (m.Type is null ? "" : $" ({m.Type})"));
        Line($"scope:       {m.Scope}");
        if (m.Title is not null) Line($"title:       {m.Title}");
        Line($"content:     {m.Content}");
        if (m.Facts.Count > 0) Line($"facts:       {string.Join("; ", m.Facts)}");
        if (m.Concepts.Count > 0) Line($"concepts:    {string.Join(", ", m.Concepts)}");
        if (m.FilesRead.Count > 0) Line($"files read:  {string.Join(", ", m.FilesRead)}");
        if (m.FilesModified.Count > 0) Line($"modified:    {string.Join(", ", m.FilesModified)}");
        if (m.Metadata.Count > 0) Line($"metadata:    {string.Join(", ", m.Metadata.Select(kv => $"{kv.Key}={kv.Value}"))}");
        Line($"created:     {Time(m.CreatedAt)}");
        if (m.UpdatedAt != m.CreatedAt) Line($"updated:     {Time(m.UpdatedAt)}");
        Line($"valid:       from {Time(m.ValidFrom)}" + (m.ValidTo is { } to ? $" to {Time(to)}" : " (current)"));
        if (m.SupersededBy is not null) Line($"replaced by: {m.SupersededBy}");
        Line($"importance:  {m.Importance.ToString("0.##", CultureInfo.InvariantCulture)}");
        Line($"accessed:    {m.AccessCount} time(s)" + (m.LastAccessedAt is { } at ? $", last {Time(at)}" : ""));
    }
}
