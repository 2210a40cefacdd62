using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Engram.Agents.Json;

/// <summary>A small JSON value to write into a file, rendered the way Claude Code formats its own files.</summary>
internal abstract record JsonOut
{
    public static JsonOut Of(string value) => new JsonOutString(value);
    public static JsonOut Of(long value) => new JsonOutNumber(value);
    public static JsonOut Of(bool value) => new JsonOutBool(value);
    public static JsonOut Object(params (string Name, JsonOut Value)[] members) => new JsonOutObject(members);
    public static JsonOut Array(params JsonOut[] items) => new JsonOutArray(items);

    /// <summary>
    /// Renders the value. Multi-line output puts each element on its own line, indented by
    /// <paramref name="indent"/> plus one <see cref="JsonLayout.Unit"/> per level; the first line is not indented.
    /// </summary>
    public string Render(JsonLayout layout, string indent, bool multiline)
    {
        var builder = new StringBuilder();
        Write(builder, layout, indent, multiline);
        return builder.ToString();
    }

    internal abstract void Write(StringBuilder builder, JsonLayout layout, string indent, bool multiline);

    /// <summary>Whether a value in a file says the same (same members and values, in any order and layout).</summary>
    public abstract bool Matches(JsonTextNode node);

    private static void WriteString(StringBuilder builder, string value) =>
        builder.Append('"').Append(JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value).Append('"');

    private sealed record JsonOutString(string Value) : JsonOut
    {
        internal override void Write(StringBuilder builder, JsonLayout layout, string indent, bool multiline) => WriteString(builder, Value);

        public override bool Matches(JsonTextNode node) => node.Kind == JsonValueKind.String && node.String == Value;
    }

    private sealed record JsonOutBool(bool Value) : JsonOut
    {
        internal override void Write(StringBuilder builder, JsonLayout layout, string indent, bool multiline) => builder.Append(Value ? "true" : "false");

        public override bool Matches(JsonTextNode node) => node.Kind == (Value ? JsonValueKind.True : JsonValueKind.False);
    }

    private sealed record JsonOutNumber(long Value) : JsonOut
    {
        internal override void Write(StringBuilder builder, JsonLayout layout, string indent, bool multiline) => builder.Append(Value);

        public override bool Matches(JsonTextNode node) =>
            node.Kind == JsonValueKind.Number && node.Literal == Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private sealed record JsonOutObject((string Name, JsonOut Value)[] Members) : JsonOut
    {
        public override bool Matches(JsonTextNode node) =>
            node.Kind == JsonValueKind.Object && node.Members.Count == Members.Length
            && Members.All(m => node.Get(m.Name) is { } value && m.Value.Matches(value));

        internal override void Write(StringBuilder builder, JsonLayout layout, string indent, bool multiline)
        {
            if (Members.Length == 0)
            {
                builder.Append("{}");
                return;
            }
            var inner = indent + layout.Unit;
            builder.Append('{');
            for (var i = 0; i < Members.Length; i++)
            {
                if (i > 0) builder.Append(',');
                if (multiline) builder.Append(layout.NewLine).Append(inner);
                else if (i > 0) builder.Append(' ');
                WriteString(builder, Members[i].Name);
                builder.Append(": ");
                Members[i].Value.Write(builder, layout, inner, multiline);
            }
            if (multiline) builder.Append(layout.NewLine).Append(indent);
            builder.Append('}');
        }
    }

    private sealed record JsonOutArray(JsonOut[] Items) : JsonOut
    {
        public override bool Matches(JsonTextNode node) =>
            node.Kind == JsonValueKind.Array && node.Items.Count == Items.Length && Items.Select((item, i) => item.Matches(node.Items[i])).All(m => m);

        internal override void Write(StringBuilder builder, JsonLayout layout, string indent, bool multiline)
        {
            if (Items.Length == 0)
            {
                builder.Append("[]");
                return;
            }
            var inner = indent + layout.Unit;
            builder.Append('[');
            for (var i = 0; i < Items.Length; i++)
            {
                if (i > 0) builder.Append(',');
                if (multiline) builder.Append(layout.NewLine).Append(inner);
                else if (i > 0) builder.Append(' ');
                Items[i].Write(builder, layout, inner, multiline);
            }
            if (multiline) builder.Append(layout.NewLine).Append(indent);
            builder.Append(']');
        }
    }
}

/// <summary>How a file is laid out: one level of indentation and the line ending.</summary>
internal sealed record JsonLayout(string Unit, string NewLine)
{
    /// <summary>What Claude Code writes: two spaces, LF.</summary>
    public static JsonLayout Default { get; } = new("  ", "\n");

    /// <summary>The layout of existing text: the first indented line gives the unit, CRLF if the text uses it.</summary>
    public static JsonLayout Detect(ReadOnlySpan<byte> text)
    {
        var newLine = text.IndexOf("\r\n"u8) >= 0 ? "\r\n" : "\n";
        var unit = Default.Unit;
        var position = 0;
        while (position < text.Length)
        {
            var lineEnd = text[position..].IndexOf((byte)'\n');
            var line = lineEnd < 0 ? text[position..] : text.Slice(position, lineEnd);
            var width = 0;
            while (width < line.Length && (line[width] == ' ' || line[width] == '\t')) width++;
            if (width > 0 && width < line.Length && line[width] != '\r')
            {
                unit = Encoding.ASCII.GetString(line[..width]);
                break;
            }
            if (lineEnd < 0) break;
            position += lineEnd + 1;
        }
        return new JsonLayout(unit, newLine);
    }
}
