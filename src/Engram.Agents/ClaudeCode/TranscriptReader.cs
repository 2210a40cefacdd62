using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Engram.Agents.ClaudeCode;

/// <summary>
/// Reads a Claude Code transcript (JSONL, one event per line, <c>"type":"user"|"assistant"</c> with a
/// <c>message</c> of <c>role</c> and <c>content</c>). Tolerant by design: it may be read while Claude Code
/// is still appending, so a partial last line, garbage lines and unknown line types are skipped.
/// </summary>
/// <remarks>
/// <para>Claude Code writes one assistant message as several lines (one per content block) that share
/// <c>message.id</c>; their text blocks are joined. Sidechain (sub-agent) lines, meta lines, compaction
/// summaries, synthetic assistant messages and slash-command echoes are not conversation and are left out.</para>
/// <para>Reading can resume: <see cref="ClaudeTranscript.EndOffset"/> is the byte offset after the last
/// complete line, and a partial last line is left for the next read from that offset.</para>
/// </remarks>
public static class TranscriptReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 512 };

    /// <summary>Reads the transcript at <paramref name="path"/>; a missing file reads as <see cref="ClaudeTranscript.Empty"/>.</summary>
    public static Task<ClaudeTranscript> ReadAsync(string path, CancellationToken cancellationToken = default) =>
        ReadAsync(path, 0, cancellationToken);

    /// <summary>
    /// Reads the transcript from byte <paramref name="fromOffset"/> (an earlier <see cref="ClaudeTranscript.EndOffset"/>).
    /// If the file is now shorter than the offset it was replaced, and is read from the start.
    /// </summary>
    public static async Task<ClaudeTranscript> ReadAsync(string path, long fromOffset, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegative(fromOffset);
        FileStream stream;
        try
        {
            stream = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.Open,
                Access = FileAccess.Read,
                Share = FileShare.ReadWrite | FileShare.Delete,
                Options = FileOptions.SequentialScan | FileOptions.Asynchronous,
                BufferSize = 0,
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
            if (fromOffset > stream.Length) fromOffset = 0;
            stream.Seek(fromOffset, SeekOrigin.Begin);
            return await ReadCoreAsync(stream, fromOffset, cancellationToken);
        }
    }

    /// <summary>Reads a transcript from a stream of UTF-8 JSONL, from its current position.</summary>
    public static Task<ClaudeTranscript> ReadAsync(Stream stream, CancellationToken cancellationToken = default) =>
        ReadCoreAsync(stream, 0, cancellationToken);

    private static async Task<ClaudeTranscript> ReadCoreAsync(Stream stream, long startOffset, CancellationToken cancellationToken)
    {
        var state = new State();
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var consumed = startOffset;     // file offset of buffer[0]
        var filled = 0;
        var lineStart = 0;
        var scanFrom = 0;
        var first = startOffset == 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    if (lineStart > 0)
                    {
                        buffer.AsSpan(lineStart, filled - lineStart).CopyTo(buffer);
                    }
                    else
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2); // one line longer than the buffer
                        buffer.AsSpan(0, filled).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    consumed += lineStart;
                    filled -= lineStart;
                    scanFrom -= lineStart;
                    lineStart = 0;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                if (read == 0) break;
                filled += read;

                if (first && filled >= 3)
                {
                    first = false;
                    if (buffer.AsSpan(0, 3).SequenceEqual("\uFEFF"u8)) lineStart = scanFrom = 3;
                }

                while (true)
                {
                    var newline = buffer.AsSpan(scanFrom, filled - scanFrom).IndexOf((byte)'\n');
                    if (newline < 0)
                    {
                        scanFrom = filled;
                        break;
                    }
                    var end = scanFrom + newline;
                    state.Accept(buffer.AsMemory(lineStart, end - lineStart), isLastLine: false);
                    lineStart = scanFrom = end + 1;
                }
            }

            // A last line without a newline is kept only if it is complete JSON; otherwise it is still being written.
            if (filled > lineStart && state.Accept(buffer.AsMemory(lineStart, filled - lineStart), isLastLine: true))
            {
                lineStart = filled;
            }
            return state.ToTranscript(consumed + lineStart);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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

        /// <summary>Takes one line; false when it is not JSON (counted as skipped unless it is an unfinished last line).</summary>
        public bool Accept(ReadOnlyMemory<byte> line, bool isLastLine)
        {
            var span = line.Span;
            if (span.Length > 0 && span[^1] == (byte)'\r')
            {
                line = line[..^1];
                span = line.Span;
            }
            if (span.Trim(" \t"u8).IsEmpty) return true;
            // Most lines (tool progress, file snapshots) are neither; skip them without parsing.
            if (span.IndexOf("\"user\""u8) < 0 && span.IndexOf("\"assistant\""u8) < 0)
            {
                if (LooksLikeJsonObject(span)) return true;
                if (!isLastLine) _skipped++;
                return false;
            }

            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(line, DocumentOptions);
            }
            catch (JsonException)
            {
                if (!isLastLine) _skipped++;
                return false;
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
            return true;
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

        public ClaudeTranscript ToTranscript(long endOffset) => new(
            _prompts,
            _hasAssistant ? new TranscriptMessage(_assistantText.ToString(), _assistantTimestamp, _assistantUuid) : null,
            _skipped)
        {
            EndOffset = endOffset,
        };

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

        private static bool LooksLikeJsonObject(ReadOnlySpan<byte> line)
        {
            var trimmed = line.Trim(" \t"u8);
            return trimmed.Length >= 2 && trimmed[0] == (byte)'{' && trimmed[^1] == (byte)'}';
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
