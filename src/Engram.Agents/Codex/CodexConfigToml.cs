using System.Text;
using Engram.Agents.Adapters;
using Engram.Core;

namespace Engram.Agents.Codex;

/// <summary>
/// Engram's part of Codex's <c>config.toml</c>: one block at the end of the file, between marker comments,
/// holding <c>[mcp_servers.engram]</c> and the trust Codex asks for before it runs a hook
/// (<c>[hooks.state."KEY"] trusted_hash = "..."</c>). No TOML library: the block is plain tables appended
/// after everything else (a table header ends whatever table came before), and uninstall cuts exactly
/// those bytes out again, so the rest of the file keeps every byte, comments and order included.
/// </summary>
internal static class CodexConfigToml
{
    private const string Begin = "# >>> engram: added by engram install; engram uninstall removes this block";
    // The same marker when the file did not end with a line break and install added one before the block.
    private const string BeginAfterAddedBreak = "# >>> engram: added by engram install (after an added line break); engram uninstall removes this block";
    private const string End = "# <<< engram";

    /// <summary>The block's text for the MCP server <paramref name="mcp"/> names and the hooks to trust (key, hash).</summary>
    public static string Block(McpServersFile mcp, IReadOnlyList<(string Key, string Hash)> trusted)
    {
        var block = new StringBuilder();
        block.Append("[mcp_servers.engram]\n");
        block.Append("command = ").Append(Quote(mcp.Command)).Append('\n');
        block.Append("args = [").AppendJoin(", ", mcp.Arguments.Select(Quote)).Append("]\n");
        foreach (var (key, hash) in trusted)
        {
            block.Append("\n[hooks.state.").Append(Quote(key)).Append("]\n");
            block.Append("trusted_hash = ").Append(Quote(hash)).Append('\n');
        }
        return block.ToString();
    }

    /// <summary>Writes (or, with null, removes) Engram's block.</summary>
    public static SettingsEditResult Write(string path, string? block) =>
        SettingsFile.Edit(path, createIfMissing: block is not null, bytes =>
        {
            var text = Without(Encoding.UTF8.GetString(bytes), path);
            if (block is null) return Encoding.UTF8.GetBytes(text);
            foreach (var line in text.Split('\n'))
            {
                if (line.Trim() is "[mcp_servers.engram]" or "[mcp_servers.\"engram\"]")
                {
                    throw new EngramException($"{path} already has an [mcp_servers.engram] table that Engram did not write. Remove it (Engram adds its own), then install again.");
                }
            }
            var joined = text.Length > 0 && !text.EndsWith('\n');
            return Encoding.UTF8.GetBytes(text + (joined ? "\n" + BeginAfterAddedBreak : Begin) + "\n" + block + End + "\n");
        });

    /// <summary>Engram's block as it is in the file, or null.</summary>
    public static string? Current(string path)
    {
        var bytes = SettingsFile.ReadBytes(path);
        if (bytes is null) return null;
        var text = Encoding.UTF8.GetString(bytes);
        var (start, end, _) = Find(text, path);
        return start < 0 ? null : text[start..end];
    }

    private static string Without(string text, string path)
    {
        var (start, end, addedBreak) = Find(text, path);
        if (start < 0) return text;
        var from = addedBreak && start > 0 && text[start - 1] == '\n' ? start - 1 : start;
        return text[..from] + text[end..];
    }

    /// <summary>Where the block is: from its begin marker to just after its end marker's line break; -1 when absent.</summary>
    private static (int Start, int End, bool AddedBreak) Find(string text, string path)
    {
        var addedBreak = false;
        var start = LineStart(text, Begin);
        if (start < 0)
        {
            start = LineStart(text, BeginAfterAddedBreak);
            addedBreak = start >= 0;
        }
        if (start < 0) return (-1, -1, false);
        var endMarker = text.IndexOf("\n" + End + "\n", start, StringComparison.Ordinal);
        if (endMarker < 0)
        {
            throw new EngramException($"Engram's block in {path} has lost its end line ('{End}'). Remove the block by hand, then run the command again.");
        }
        return (start, endMarker + End.Length + 2, addedBreak);
    }

    private static int LineStart(string text, string line)
    {
        for (var at = text.IndexOf(line, StringComparison.Ordinal); at >= 0; at = text.IndexOf(line, at + 1, StringComparison.Ordinal))
        {
            var atLineStart = at == 0 || text[at - 1] == '\n';
            var wholeLine = at + line.Length < text.Length && text[at + line.Length] == '\n';
            if (atLineStart && wholeLine) return at;
        }
        return -1;
    }

    /// <summary>The MCP server's command in Engram's block (as <see cref="Block"/> wrote it), or null when it has none.</summary>
    public static string? McpCommand(string block)
    {
        var line = block.Split('\n').FirstOrDefault(l => l.StartsWith("command = \"", StringComparison.Ordinal) && l.EndsWith('"'));
        if (line is null) return null;
        var quoted = line["command = \"".Length..^1];
        var value = new StringBuilder();
        for (var i = 0; i < quoted.Length; i++)
        {
            if (quoted[i] != '\\' || i + 1 == quoted.Length)
            {
                value.Append(quoted[i]);
                continue;
            }
            var escaped = quoted[++i];
            if (escaped == 'u' && i + 4 < quoted.Length && int.TryParse(quoted.AsSpan(i + 1, 4), System.Globalization.NumberStyles.HexNumber, null, out var code))
            {
                value.Append((char)code);
                i += 4;
                continue;
            }
            value.Append(escaped switch { 'n' => '\n', 'r' => '\r', 't' => '\t', _ => escaped });
        }
        return value.ToString();
    }

    /// <summary>A TOML basic string.</summary>
    public static string Quote(string value)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            quoted.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }
        return quoted.Append('"').ToString();
    }
}
