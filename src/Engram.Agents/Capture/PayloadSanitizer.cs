using System.Buffers;
using System.Text.Json;
using Engram.Core.Privacy;

namespace Engram.Agents.Capture;

/// <summary>
/// Rewrites a JSON payload with every string value passed through the privacy filter (private spans
/// removed, secrets redacted) and cut to a maximum length. Runs on the hook's hot path, so it
/// streams: one pass with a reader and a writer, no document tree.
/// </summary>
public static class PayloadSanitizer
{
    /// <summary>Longest string value kept, in characters; tool output past this is cut with a marker.</summary>
    public const int DefaultMaxStringLength = 16_000;

    /// <exception cref="JsonException">The payload is not valid JSON.</exception>
    public static byte[] Sanitize(ReadOnlySpan<byte> json, int maxStringLength = DefaultMaxStringLength)
    {
        var output = new ArrayBufferWriter<byte>(Math.Min(json.Length + 256, 1 << 20));
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = false }))
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 });
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject: writer.WriteStartObject(); break;
                    case JsonTokenType.EndObject: writer.WriteEndObject(); break;
                    case JsonTokenType.StartArray: writer.WriteStartArray(); break;
                    case JsonTokenType.EndArray: writer.WriteEndArray(); break;
                    case JsonTokenType.PropertyName: writer.WritePropertyName(reader.GetString()!); break;
                    case JsonTokenType.String: writer.WriteStringValue(Clean(reader.GetString()!, maxStringLength)); break;
                    case JsonTokenType.Number: writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true); break;
                    case JsonTokenType.True: writer.WriteBooleanValue(true); break;
                    case JsonTokenType.False: writer.WriteBooleanValue(false); break;
                    case JsonTokenType.Null: writer.WriteNullValue(); break;
                }
            }
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Privacy first, then the cut, so a secret straddling the cut is still found whole.</summary>
    public static string Clean(string value, int maxLength = DefaultMaxStringLength)
    {
        if (value.Length == 0) return value;
        var filtered = PrivacyFilter.Apply(value);
        if (filtered.Length <= maxLength) return filtered;
        var keep = maxLength - 64;
        return string.Concat(filtered.AsSpan(0, keep), $"\n[... {filtered.Length - keep:N0} more characters cut by engram]");
    }
}
