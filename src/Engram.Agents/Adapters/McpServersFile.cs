using System.Text.Json;
using Engram.Agents.Json;
using Engram.Core;

namespace Engram.Agents.Adapters;

/// <summary>
/// Registers Engram's MCP server in a JSON file with an <c>mcpServers</c> object, the form Claude Code
/// (<c>~/.claude.json</c>), Gemini CLI (<c>settings.json</c>) and Cursor (<c>mcp.json</c>) read:
/// <c>"mcpServers": {"engram": {"command": "&lt;engram&gt;", "args": ["mcp"]}}</c>.
/// </summary>
/// <remarks>
/// Every other key of the file keeps its bytes: idempotent, backup first, atomic replace, refuses
/// invalid JSON. Agents rewrite such files often; the edit is retried if it changes underneath.
/// </remarks>
public sealed class McpServersFile
{
    /// <summary>The server name Engram registers under.</summary>
    public const string ServerName = "engram";

    /// <param name="engramCommand">The engram executable as the agent should start it.</param>
    public McpServersFile(string engramCommand)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(engramCommand);
        EngramCommand = engramCommand;
    }

    public string EngramCommand { get; }

    /// <summary>Adds (or updates) the <c>engram</c> server entry, creating the file when missing.</summary>
    public SettingsEditResult Register(string claudeJsonPath) =>
        SettingsFile.Edit(claudeJsonPath, createIfMissing: true, text =>
        {
            var editor = new JsonTextEditor(text, claudeJsonPath);
            var root = RequireObject(editor.Root, "the top level", claudeJsonPath);
            var spec = JsonOut.Object(("command", JsonOut.Of(EngramCommand)), ("args", JsonOut.Array(JsonOut.Of("mcp"))));
            if (root.Get("mcpServers") is not { } servers)
            {
                editor.AppendMember(root, "mcpServers", JsonOut.Object((ServerName, spec)));
            }
            else if (RequireObject(servers, "\"mcpServers\"", claudeJsonPath).Get(ServerName) is not { } existing)
            {
                editor.AppendMember(servers, ServerName, spec);
            }
            else if (!(IsEngramEntry(existing) && existing.GetString("command") == EngramCommand))
            {
                editor.ReplaceValue(existing, spec);
            }
            return editor.Text;
        });

    /// <summary>
    /// Removes the <c>engram</c> entry if Engram wrote it (its args are exactly <c>["mcp"]</c>), and
    /// <c>mcpServers</c> if that entry was all it held. A different server that happens to be called
    /// engram is left alone.
    /// </summary>
    public static SettingsEditResult Unregister(string claudeJsonPath)
    {
        var result = SettingsFile.Edit(claudeJsonPath, createIfMissing: false, text =>
        {
            var editor = new JsonTextEditor(text, claudeJsonPath);
            var root = editor.Root;
            if (root.Kind != JsonValueKind.Object) return editor.Text;
            var serversIndex = root.IndexOf("mcpServers");
            if (serversIndex < 0 || root.Members[serversIndex].Value is not { Kind: JsonValueKind.Object } servers) return editor.Text;
            var index = servers.IndexOf(ServerName);
            if (index < 0 || !IsEngramEntry(servers.Members[index].Value)) return editor.Text;

            if (servers.Members.Count > 1) editor.RemoveMember(servers, index);
            else editor.RemoveMember(root, serversIndex);
            return editor.Text;
        });
        // A file install created for the server alone goes again.
        SettingsFile.DeleteIfCreatedAndEmpty(claudeJsonPath, SettingsFile.IsEmptyJson);
        return result;
    }

    /// <summary>True when the file registers an Engram MCP server.</summary>
    public static bool IsRegistered(string claudeJsonPath)
    {
        var text = SettingsFile.ReadBytes(claudeJsonPath);
        if (text is null) return false;
        if (text.AsSpan().StartsWith("\uFEFF"u8)) text = text[3..];
        var root = new JsonTextEditor(text, claudeJsonPath).Root;
        return root.Kind == JsonValueKind.Object
            && root.Get("mcpServers") is { Kind: JsonValueKind.Object } servers
            && servers.Get(ServerName) is { } entry && IsEngramEntry(entry);
    }

    private static bool IsEngramEntry(JsonTextNode entry) =>
        entry.Kind == JsonValueKind.Object
        && entry.GetString("command") is not null
        && entry.Get("args") is { Kind: JsonValueKind.Array } args
        && args.Items.Count == 1 && args.Items[0] is { Kind: JsonValueKind.String, String: "mcp" };

    private static JsonTextNode RequireObject(JsonTextNode node, string what, string path)
    {
        if (node.Kind == JsonValueKind.Object) return node;
        throw new EngramException($"{what} of {path} is not a JSON object, so Engram cannot add its MCP server there. Fix it by hand, then run the command again.");
    }
}
