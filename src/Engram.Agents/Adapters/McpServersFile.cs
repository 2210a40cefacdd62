using System.Text.Json;
using Engram.Agents.Json;
using Engram.Core;

namespace Engram.Agents.Adapters;

/// <summary>
/// Registers Engram's MCP server in a JSON file with an <c>mcpServers</c> object, the form Claude Code
/// (<c>~/.claude.json</c>), Gemini CLI (<c>settings.json</c>) and Cursor (<c>mcp.json</c>) read:
/// <c>"mcpServers": {"engram": {"command": "&lt;engram&gt;", "args": ["mcp"]}}</c>, or, with the native
/// front end beside engram, <c>{"command": "/path/engram-mcp", "args": []}</c>, or, for Claude Code with a running
/// <c>engram serve</c>, <c>{"type": "http", "url": "http://127.0.0.1:37777/mcp"}</c> (no process at all).
/// </summary>
/// <remarks>
/// Every other key of the file keeps its bytes: idempotent, backup first, atomic replace, refuses
/// invalid JSON. Agents rewrite such files often; the edit is retried if it changes underneath.
/// </remarks>
public sealed class McpServersFile
{
    /// <summary>The server name Engram registers under.</summary>
    public const string ServerName = "engram";

    /// <summary>The native MCP front end's file name (engram-mcp): it takes no "mcp" argument.</summary>
    public const string NativeServerName = "engram-mcp";

    /// <param name="engramCommand">The engram executable as the agent should start it.</param>
    /// <param name="nativeServer">The native engram-mcp to register instead of <c>engram mcp</c>, when there is one.</param>
    /// <param name="engramArguments">Words before <c>mcp</c>: the engram.dll when the command is dotnet.</param>
    public McpServersFile(string engramCommand, string? nativeServer = null, IReadOnlyList<string>? engramArguments = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(engramCommand);
        Command = nativeServer is { Length: > 0 } ? nativeServer : engramCommand;
        Arguments = nativeServer is { Length: > 0 } ? [] : [.. engramArguments ?? [], "mcp"];
    }

    private McpServersFile(string serverUrl)
    {
        Url = serverUrl.TrimEnd('/') + McpPath;
        Command = "";
        Arguments = [];
    }

    /// <summary>Where <c>engram serve</c> answers MCP.</summary>
    public const string McpPath = "/mcp";

    /// <summary>The entry for what an install registers.</summary>
    public static McpServersFile For(InstallOptions options, bool native) =>
        new(options.EngramCommand, native ? options.NativeMcp : null, options.EngramArguments);

    /// <summary>The entry for the MCP endpoint of the <c>engram serve</c> at <paramref name="serverUrl"/> (such as http://127.0.0.1:37777).</summary>
    public static McpServersFile Http(string serverUrl) => new(serverUrl);

    /// <summary>The MCP endpoint the agent connects to, or null for a server it starts.</summary>
    public string? Url { get; }

    /// <summary>The command the agent starts, and its arguments ("" and none for an HTTP entry).</summary>
    public string Command { get; }

    public IReadOnlyList<string> Arguments { get; }

    /// <summary>Adds (or updates) the <c>engram</c> server entry, creating the file when missing.</summary>
    public SettingsEditResult Register(string claudeJsonPath) =>
        SettingsFile.Edit(claudeJsonPath, createIfMissing: true, text =>
        {
            var editor = new JsonTextEditor(text, claudeJsonPath);
            var root = RequireObject(editor.Root, "the top level", claudeJsonPath);
            var spec = Url is not null
                ? JsonOut.Object(("type", JsonOut.Of("http")), ("url", JsonOut.Of(Url)))
                : JsonOut.Object(("command", JsonOut.Of(Command)), ("args", JsonOut.Array([.. Arguments.Select(a => JsonOut.Of(a))])));
            if (root.Get("mcpServers") is not { } servers)
            {
                editor.AppendMember(root, "mcpServers", JsonOut.Object((ServerName, spec)));
            }
            else if (RequireObject(servers, "\"mcpServers\"", claudeJsonPath).Get(ServerName) is not { } existing)
            {
                editor.AppendMember(servers, ServerName, spec);
            }
            else if (!(IsEngramEntry(existing) && (Url is not null
                ? existing.GetString("url") == Url
                : existing.GetString("url") is null && existing.GetString("command") == Command && ArgumentsOf(existing).SequenceEqual(Arguments))))
            {
                editor.ReplaceValue(existing, spec);
            }
            return editor.Text;
        });

    /// <summary>
    /// Removes the <c>engram</c> entry if Engram wrote it (its args are exactly <c>["mcp"]</c>, or
    /// <c>[".../engram.dll", "mcp"]</c>, or it runs engram-mcp with none), and
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
    public static bool IsRegistered(string claudeJsonPath) => RegisteredCommand(claudeJsonPath) is not null;

    /// <summary>The command (or, over HTTP, the URL) of the Engram MCP server the file registers, or null when it registers none.</summary>
    public static string? RegisteredCommand(string claudeJsonPath)
    {
        var text = SettingsFile.ReadBytes(claudeJsonPath);
        if (text is null) return null;
        if (text.AsSpan().StartsWith("\uFEFF"u8)) text = text[3..];
        var root = new JsonTextEditor(text, claudeJsonPath).Root;
        return root.Kind == JsonValueKind.Object
            && root.Get("mcpServers") is { Kind: JsonValueKind.Object } servers
            && servers.Get(ServerName) is { } entry && IsEngramEntry(entry)
            ? entry.GetString("url") ?? entry.GetString("command")
            : null;
    }

    /// <summary>True when the command is the native front end (engram-mcp), by its file name.</summary>
    public static bool IsNativeServer(string command)
    {
        var name = Path.GetFileName(command.Trim().Trim('"', '\''));
        return name is NativeServerName or NativeServerName + ".exe";
    }

    /// <summary>True when <paramref name="registered"/> (what <see cref="RegisteredCommand"/> gave) is an engram serve's MCP endpoint.</summary>
    public static bool IsHttpServer(string registered) => registered.StartsWith("http://", StringComparison.Ordinal) || registered.StartsWith("https://", StringComparison.Ordinal);

    private static bool IsEngramEntry(JsonTextNode entry)
    {
        if (entry.Kind != JsonValueKind.Object) return false;
        // An engram serve's endpoint, as Http() writes it.
        if (entry.GetString("type") == "http" && entry.GetString("url") is { } url) return IsHttpServer(url) && url.EndsWith(McpPath, StringComparison.Ordinal);
        if (entry.GetString("command") is not { } command) return false;
        var args = ArgumentsOf(entry);
        // engram mcp; dotnet /path/engram.dll mcp; or the native front end, which takes no arguments.
        return (args.Count == 1 && args[0] == "mcp")
            || (args.Count == 2 && args[1] == "mcp" && Path.GetFileName(args[0]) == "engram.dll")
            || (args.Count == 0 && IsNativeServer(command));
    }

    /// <summary>The string arguments of an entry (none when "args" is missing); a non-string argument reads as null.</summary>
    private static List<string?> ArgumentsOf(JsonTextNode entry) =>
        entry.Get("args") is { Kind: JsonValueKind.Array } args
            ? [.. args.Items.Select(a => a.Kind == JsonValueKind.String ? a.String : null)]
            : [];

    private static JsonTextNode RequireObject(JsonTextNode node, string what, string path)
    {
        if (node.Kind == JsonValueKind.Object) return node;
        throw new EngramException($"{what} of {path} is not a JSON object, so Engram cannot add its MCP server there. Fix it by hand, then run the command again.");
    }
}
