using System.Text;
using System.Text.Json;

namespace Engram.Agents.ClaudeCode;

/// <summary>
/// Reads a Claude Code transcript (JSONL, one event per line, <c>"type":"user"|"assistant"</c> with a
/// <c>message</c> of <c>role</c> and <c>content</c>). Tolerant by design: it may be read while Claude Code
/// is still appending, so a partial last line, garbage lines and unknown line types are skipped.
/// </summary>
/// <remarks>
/// Claude Code writes one assistant message as several lines (one per content block) that share
/// <c>message.id</c>; their text blocks are joined. Sidechain (sub-agent) lines, meta lines, compaction
/// summaries, synthetic assistant messages and slash-command echoes are not conversation and are left out.
/// </remarks>
public static class TranscriptReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 512 };

    /// <summary>Reads the transcript at <paramref name="path"/>; a missing file reads as <see cref="ClaudeTranscript.Empty"/>.</summary>
    public static async Task<ClaudeTranscript> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                Options = FileOptions.SequentialScan | FileOptions.Asynchronous,
                BufferSize = 64 * 1024,
            });
        }
        catch (FileNotFoundException)
        {
            return ClaudeTranscript.Empty;
        }
        catch (DirectoryNotFoundException)
        {
            return ClaudeTranscript.Empty;
        }
        await using (stream)
        {
            return await ReadAsync(stream, cancellationToken);
        }
    }

    /// <summary>Reads a transcript from a stream of UTF-8 JSONL.</summary>
    public static async Task<ClaudeTranscript> ReadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);
        var state = new State();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            state.Accept(line);
        }
        return state.ToTranscript();
    }

    private sealed class State
    {
        private readonly List<TranscriptMessage> _prompts = [];
        private readonly StringBuilder _assistantText = new();
        private string? _assistantId;
        private DateTimeOffset? _assistantTimestamp;
        private string? _assistantUuid;
        private bool _hasAssistant;
        private int _skipped;

        public void Accept(string line)
        {
            if (string.IsNullOrWhiteSpace(line)) return;
            // Most lines (tool progress, file snapshots) are neither; skip them without parsing.
            if (!line.Contains("\"user\"", StringComparison.Ordinal) && !line.Contains("\"assistant\"", StringComparison.Ordinal))
            {
                if (!LooksLikeJsonObject(line)) _skipped++;
                return;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line, DocumentOptions);
            }
            catch (JsonException)
            {
                _skipped++;
                return;
            }
            using (document)
            {
                try
                {
                    AcceptDocument(document.RootElement);
                }
                catch (InvalidOperationException)
                {
                    _skipped++; // a string that cannot be decoded, such as an escaped lone surrogate
                }
            }
        }

        private void AcceptDocument(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object) return;
            if (IsTrue(root, "isSidechain") || IsTrue(root, "isMeta") || IsTrue(root, "isCompactSummary")) return;
            if (!root.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object) return;

            switch (StringOf(root, "type"))
            {
                case "user":
                    AcceptUser(root, message);
                    break;
                case "assistant":
                    AcceptAssistant(root, message);
                    break;
            }
        }

        private void AcceptUser(JsonElement root, JsonElement message)
        {
            if (!message.TryGetProperty("content", out var content)) return;
            var text = content.ValueKind switch
            {
                JsonValueKind.String => content.GetString(),
                JsonValueKind.Array => JoinTextBlocks(content, "\n"),
                _ => null,
            };
            if (string.IsNullOrWhiteSpace(text) || IsNotAPrompt(text)) return;
            _prompts.Add(new TranscriptMessage(text, TimestampOf(root), StringOf(root, "uuid")));
        }

        private void AcceptAssistant(JsonElement root, JsonElement message)
        {
            if (StringOf(message, "model") == "<synthetic>") return;
            if (!message.TryGetProperty("content", out var content)) return;
            var text = content.ValueKind switch
            {
                JsonValueKind.String => content.GetString(),
                JsonValueKind.Array => JoinTextBlocks(content, "\n\n"),
                _ => null,
            };
            if (string.IsNullOrWhiteSpace(text)) return;

            var id = StringOf(message, "id");
            if (_hasAssistant && id is not null && id == _assistantId)
            {
                _assistantText.Append("\n\n").Append(text);
                return;
            }
            _assistantText.Clear().Append(text);
            _assistantId = id;
            _assistantTimestamp = TimestampOf(root);
            _assistantUuid = StringOf(root, "uuid");
            _hasAssistant = true;
        }

        public ClaudeTranscript ToTranscript() => new(
            _prompts,
            _hasAssistant ? new TranscriptMessage(_assistantText.ToString(), _assistantTimestamp, _assistantUuid) : null,
            _skipped);

        private static string? JoinTextBlocks(JsonElement blocks, string separator)
        {
            StringBuilder? joined = null;
            foreach (var block in blocks.EnumerateArray())
            {
                if (block.ValueKind != JsonValueKind.Object || StringOf(block, "type") != "text") continue;
                var text = StringOf(block, "text");
                if (string.IsNullOrWhiteSpace(text)) continue;
                joined ??= new StringBuilder();
                if (joined.Length > 0) joined.Append(separator);
                joined.Append(text);
            }
            return joined?.ToString();
        }

        /// <summary>Text Claude Code puts in user lines that the user did not type as a prompt.</summary>
        private static bool IsNotAPrompt(string text)
        {
            var trimmed = text.AsSpan().TrimStart();
            return trimmed.StartsWith("<command-", StringComparison.Ordinal)
                || trimmed.StartsWith("<local-command-", StringComparison.Ordinal)
                || trimmed.StartsWith("[Request interrupted by user", StringComparison.Ordinal)
                || trimmed.StartsWith("This session is being continued from a previous conversation", StringComparison.Ordinal);
        }

        private static bool LooksLikeJsonObject(string line)
        {
            var trimmed = line.AsSpan().Trim();
            return trimmed.Length >= 2 && trimmed[0] == '{' && trimmed[^1] == '}';
        }

        private static bool IsTrue(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

        private static string? StringOf(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

        private static DateTimeOffset? TimestampOf(JsonElement root) =>
            root.TryGetProperty("timestamp", out var value) && value.ValueKind == JsonValueKind.String
            && value.TryGetDateTimeOffset(out var timestamp) ? timestamp : null;
    }
}
