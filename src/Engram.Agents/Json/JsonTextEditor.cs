using System.Text;
using System.Text.Json;
using Engram.Core;

namespace Engram.Agents.Json;

/// <summary>
/// Edits a JSON file's text in place: each edit replaces the bytes of one element and nothing else,
/// so comments, key order, spacing and the formatting of every untouched value survive. Inserting an
/// element and removing it again gives back the original bytes.
/// </summary>
/// <remarks>After every edit the text is parsed again; nodes taken from <see cref="Root"/> before an edit are stale.</remarks>
internal sealed class JsonTextEditor
{
    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 256,
    };

    private readonly string _path;

    /// <summary>Parses <paramref name="text"/> (UTF-8 without a byte order mark); empty or blank text reads as <c>{}</c>.</summary>
    /// <exception cref="EngramException">The text is not valid JSON; the message names the file, line and column.</exception>
    public JsonTextEditor(byte[] text, string pathForMessages)
    {
        _path = pathForMessages;
        if (text.AsSpan().Trim(" \t\r\n"u8).IsEmpty) text = "{}"u8.ToArray();
        Layout = JsonLayout.Detect(text);
        Text = text;
        Root = Parse(text, _path);
    }

    public byte[] Text { get; private set; }
    public JsonTextNode Root { get; private set; }
    public JsonLayout Layout { get; }

    /// <summary>Removes member <paramref name="index"/> of an object, with the comma and white space that belonged to it.</summary>
    public void RemoveMember(JsonTextNode obj, int index) => RemoveElement(obj, index);

    /// <summary>Removes item <paramref name="index"/> of an array, with the comma and white space that belonged to it.</summary>
    public void RemoveItem(JsonTextNode array, int index) => RemoveElement(array, index);

    /// <summary>Adds a member at the end of an object, laid out like its siblings.</summary>
    public void AppendMember(JsonTextNode obj, string name, JsonOut value)
    {
        var key = JsonOut.Of(name).Render(Layout, "", multiline: false) + ": ";
        AppendElement(obj, key, value);
    }

    /// <summary>Adds an item at the end of an array, laid out like its siblings.</summary>
    public void AppendItem(JsonTextNode array, JsonOut value) => AppendElement(array, "", value);

    /// <summary>Replaces a value, indented like the line it starts on.</summary>
    public void ReplaceValue(JsonTextNode node, JsonOut value)
    {
        var indent = LeadingWhitespaceOfLine(node.Start);
        Splice(node.Start, node.End, value.Render(Layout, indent, multiline: true));
    }

    private void RemoveElement(JsonTextNode container, int index)
    {
        var count = container.Count;
        if (count == 1)
        {
            Splice(container.Start + 1, container.End - 1, "");          // { "only": 1 } -> {}
        }
        else if (index == count - 1)
        {
            Splice(container.ElementEnd(index - 1), container.ElementEnd(index), ""); // drop ", last"
        }
        else
        {
            Splice(container.ElementStart(index), container.ElementStart(index + 1), ""); // drop "this, "
        }
    }

    private void AppendElement(JsonTextNode container, string prefix, JsonOut value)
    {
        var count = container.Count;
        if (count == 0)
        {
            var indent = LeadingWhitespaceOfLine(container.Start);
            var inner = indent + Layout.Unit;
            var text = Layout.NewLine + inner + prefix + value.Render(Layout, inner, multiline: true) + Layout.NewLine + indent;
            Splice(container.Start + 1, container.End - 1, text);
            return;
        }

        var lastStart = container.ElementStart(count - 1);
        var lastEnd = container.ElementEnd(count - 1);
        if (StartsItsLine(lastStart, out var siblingIndent))
        {
            Splice(lastEnd, lastEnd, "," + Layout.NewLine + siblingIndent + prefix + value.Render(Layout, siblingIndent, multiline: true));
        }
        else
        {
            Splice(lastEnd, lastEnd, ", " + prefix + value.Render(Layout, "", multiline: false));
        }
    }

    /// <summary>True when only spaces or tabs precede <paramref name="offset"/> on its line; gives that white space.</summary>
    private bool StartsItsLine(int offset, out string indent)
    {
        var lineStart = offset;
        while (lineStart > 0 && Text[lineStart - 1] != (byte)'\n') lineStart--;
        for (var i = lineStart; i < offset; i++)
        {
            if (Text[i] != (byte)' ' && Text[i] != (byte)'\t')
            {
                indent = "";
                return false;
            }
        }
        indent = Encoding.UTF8.GetString(Text, lineStart, offset - lineStart);
        return true;
    }

    private string LeadingWhitespaceOfLine(int offset)
    {
        var lineStart = offset;
        while (lineStart > 0 && Text[lineStart - 1] != (byte)'\n') lineStart--;
        var end = lineStart;
        while (end < Text.Length && (Text[end] == (byte)' ' || Text[end] == (byte)'\t')) end++;
        return Encoding.UTF8.GetString(Text, lineStart, end - lineStart);
    }

    private void Splice(int start, int end, string insert)
    {
        var inserted = Encoding.UTF8.GetBytes(insert);
        var result = new byte[Text.Length - (end - start) + inserted.Length];
        Text.AsSpan(0, start).CopyTo(result);
        inserted.CopyTo(result.AsSpan(start));
        Text.AsSpan(end).CopyTo(result.AsSpan(start + inserted.Length));
        Text = result;
        Root = Parse(Text, _path);
    }

    /// <summary>Parses UTF-8 JSON text into located nodes.</summary>
    /// <exception cref="EngramException">The text is not valid JSON.</exception>
    public static JsonTextNode Parse(ReadOnlySpan<byte> text, string pathForMessages)
    {
        var reader = new Utf8JsonReader(text, ReaderOptions);
        try
        {
            if (!reader.Read()) throw new JsonException("the file holds no JSON value");
            var root = ParseValue(ref reader);
            if (reader.Read()) throw new JsonException("there is more text after the JSON value");
            return root;
        }
        catch (JsonException e)
        {
            var (line, column) = e.LineNumber is { } zeroBasedLine
                ? (zeroBasedLine + 1, (e.BytePositionInLine ?? 0) + 1)
                : LineAndColumn(text, (int)Math.Min(reader.BytesConsumed, text.Length));
            throw new EngramException(
                $"{pathForMessages} is not valid JSON (line {line}, column {column}): {Reason(e)}. "
                + "Engram did not change it; fix the file or move it aside, then run the command again.", e);
        }
    }

    private static JsonTextNode ParseValue(ref Utf8JsonReader reader)
    {
        var start = (int)reader.TokenStartIndex;
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var node = new JsonTextNode(JsonValueKind.Object, start);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var nameStart = (int)reader.TokenStartIndex;
                    var name = ReadString(ref reader);
                    reader.Read();
                    node.Members.Add(new JsonTextMember(name, nameStart, ParseValue(ref reader)));
                }
                node.End = (int)reader.TokenStartIndex + 1;
                return node;
            }
            case JsonTokenType.StartArray:
            {
                var node = new JsonTextNode(JsonValueKind.Array, start);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    node.Items.Add(ParseValue(ref reader));
                }
                node.End = (int)reader.TokenStartIndex + 1;
                return node;
            }
            case JsonTokenType.String:
                return new JsonTextNode(JsonValueKind.String, start)
                {
                    End = start + reader.ValueSpan.Length + 2,
                    String = ReadString(ref reader),
                };
            default:
                var kind = reader.TokenType switch
                {
                    JsonTokenType.Number => JsonValueKind.Number,
                    JsonTokenType.True => JsonValueKind.True,
                    JsonTokenType.False => JsonValueKind.False,
                    _ => JsonValueKind.Null,
                };
                return new JsonTextNode(kind, start)
                {
                    End = start + reader.ValueSpan.Length,
                    Literal = Encoding.UTF8.GetString(reader.ValueSpan),
                };
        }
    }

    /// <summary>
    /// A string's value; one that cannot be decoded (an escaped lone surrogate, which JSON allows) is
    /// kept as its raw text: it can never equal a name Engram looks for, and its bytes are never rewritten.
    /// </summary>
    private static string ReadString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString() ?? "";
        }
        catch (InvalidOperationException)
        {
            return "\0raw:" + Encoding.UTF8.GetString(reader.ValueSpan);
        }
    }

    private static (long Line, long Column) LineAndColumn(ReadOnlySpan<byte> text, int offset)
    {
        long line = 1, column = 1;
        for (var i = 0; i < offset; i++)
        {
            if (text[i] == (byte)'\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }
        return (line, column);
    }

    /// <summary>The reader's message without its position suffix (which the caller reports in its own words).</summary>
    private static string Reason(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return (cut >= 0 ? message[..cut] : message).TrimEnd(' ', '.');
    }
}
