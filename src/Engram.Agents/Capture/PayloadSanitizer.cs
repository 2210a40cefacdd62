using System.Buffers;
using System.Text.Json;
using Engram.Core.Privacy;

namespace Engram.Agents.Capture;

/// <summary>
/// Rewrites a JSON payload with every key and string value passed through the privacy filter and cut
/// to a maximum length. One event is one privacy scope: a <c>&lt;private&gt;</c> opened in one field
/// (tool_input) and closed in a later one (tool_response) hides everything between, and an unclosed one
/// hides the rest of the event. A value is judged in the context of its key (<c>"password": "x"</c>,
/// <c>"env": {"DB_PASSWORD": "x"}</c>; array items take the key of their array). Runs in the worker,
/// streaming: one pass with a reader and a writer, no document tree.
/// </summary>
public static class PayloadSanitizer
{
    /// <summary>Longest string value kept, in characters; tool output past this is cut with a marker.</summary>
    public const int DefaultMaxStringLength = 16_000;

    /// <exception cref="JsonException">The payload is not valid JSON.</exception>
    public static byte[] Sanitize(ReadOnlySpan<byte> json, int maxStringLength = DefaultMaxStringLength)
    {
        var output = new ArrayBufferWriter<byte>(Math.Min(json.Length + 256, 1 << 20));
        var scope = PrivacyFilter.NewScope();
        var containers = new Stack<(bool IsArray, string? Key)>();
        string? lastName = null;
        string? CurrentKey() => containers.Count == 0 ? null : containers.Peek().IsArray ? containers.Peek().Key : lastName;

        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = false }))
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = 256 });
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        containers.Push((false, CurrentKey()));
                        writer.WriteStartObject();
                        break;
                    case JsonTokenType.StartArray:
                        containers.Push((true, CurrentKey()));
                        writer.WriteStartArray();
                        break;
                    case JsonTokenType.EndObject:
                        containers.Pop();
                        writer.WriteEndObject();
                        break;
                    case JsonTokenType.EndArray:
                        containers.Pop();
                        writer.WriteEndArray();
                        break;
                    case JsonTokenType.PropertyName:
                        lastName = reader.GetString()!;
                        writer.WritePropertyName(Cut(scope.Text(lastName), maxStringLength));
                        break;
                    case JsonTokenType.String:
                        writer.WriteStringValue(Cut(scope.Value(CurrentKey(), reader.GetString()!), maxStringLength));
                        break;
                    case JsonTokenType.Number:
                        // A number under a password's name is a password (a PIN); other numbers are kept.
                        if (SecretNames.Classify(CurrentKey()) == SecretNameStrength.Strong) writer.WriteStringValue(SecretRedactor.MarkerPrefix + "secret]");
                        else writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                        break;
                    case JsonTokenType.True: writer.WriteBooleanValue(true); break;
                    case JsonTokenType.False: writer.WriteBooleanValue(false); break;
                    case JsonTokenType.Null: writer.WriteNullValue(); break;
                }
            }
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>Privacy first, then the cut, so a secret straddling the cut is still found whole.</summary>
    public static string Clean(string value, int maxLength = DefaultMaxStringLength) =>
        value.Length == 0 ? value : Cut(PrivacyFilter.Apply(value), maxLength);

    private static string Cut(string filtered, int maxLength)
    {
        if (filtered.Length <= maxLength) return filtered;
        var keep = maxLength - 64;
        return string.Concat(filtered.AsSpan(0, keep), $"\n[... {filtered.Length - keep:N0} more characters cut by engram]");
    }
}
