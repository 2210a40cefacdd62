using System.Text.Json;

namespace Engram.Agents.Adapters;

/// <summary>
/// The session-start hook's stdout that Claude Code, Codex and Gemini CLI all read:
/// <c>{"hookSpecificOutput":{"hookEventName":"SessionStart","additionalContext":"..."}}</c> and a newline.
/// </summary>
public static class SessionStartOutput
{
    /// <summary>The output for a context, or nothing for no context.</summary>
    public static byte[] Render(string context)
    {
        if (context.Length == 0) return [];
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("hookSpecificOutput");
            writer.WriteString("hookEventName", "SessionStart");
            writer.WriteString("additionalContext", context);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }
}
