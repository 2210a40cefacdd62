using System.Text.Json;
using Engram.Agents.Adapters;
using Engram.Agents.Json;
using Engram.Core;

namespace Engram.Agents.Cursor;

/// <summary>One Cursor hook event Engram installs: Cursor's name, Engram's name and meaning.</summary>
public sealed record CursorHookEvent(string Name, string CommandName, AgentEventKind Kind);

/// <summary>
/// Engram's hooks in Cursor's <c>hooks.json</c>: <c>{"version": 1, "hooks": {"&lt;event&gt;": [{"command": "..."}]}}</c>.
/// Only Engram's entries change; an event list or <c>hooks</c> object goes on uninstall only when Engram's entry
/// was all it held, and a file install created goes when nothing else is in it.
/// </summary>
internal static class CursorHooksFile
{
    public static IReadOnlyList<CursorHookEvent> Events { get; } =
    [
        new("beforeSubmitPrompt", "before-submit-prompt", AgentEventKind.Prompt),
        new("afterShellExecution", "after-shell-execution", AgentEventKind.ToolCall),
        new("afterFileEdit", "after-file-edit", AgentEventKind.ToolCall),
        new("afterMCPExecution", "after-mcp-execution", AgentEventKind.ToolCall),
        new("afterAgentResponse", "after-agent-response", AgentEventKind.AssistantAnswer),
        new("stop", "stop", AgentEventKind.AssistantAnswer),
    ];

    private static readonly HookGroupsFile Marks = new(CursorAdapter.Agent, "Cursor");

    public static SettingsEditResult Install(string path, InstallOptions options) =>
        SettingsFile.Edit(path, createIfMissing: true, text =>
        {
            var created = text.AsSpan().Trim(" \t\r\n"u8).IsEmpty;
            var editor = new JsonTextEditor(text, path);
            var wanted = Events.ToDictionary(e => e.Name, e => options.HookCommand(CursorAdapter.Agent, e.CommandName), StringComparer.Ordinal);
            // Stale entries (another engram path, an event no longer used) go first.
            while (Ours(editor.Root).FirstOrDefault(o => !wanted.TryGetValue(o.Event, out var command) || o.Command != command) is { } stale) Remove(editor, stale);
            if (created) editor.AppendMember(editor.Root, "version", JsonOut.Of(1));
            foreach (var (eventName, command) in wanted)
            {
                if (Ours(editor.Root).Any(o => o.Event == eventName)) continue;
                var entry = JsonOut.Object(("command", JsonOut.Of(command)));
                var root = Require(editor.Root, "the top level", path);
                if (root.Get("hooks") is not { } hooks) editor.AppendMember(root, "hooks", JsonOut.Object((eventName, JsonOut.Array(entry))));
                else if (Require(hooks, "\"hooks\"", path).Get(eventName) is not { } list) editor.AppendMember(hooks, eventName, JsonOut.Array(entry));
                else if (list.Kind == JsonValueKind.Array) editor.AppendItem(list, entry);
                else throw new EngramException($"\"hooks.{eventName}\" in {path} is not a list, as Cursor expects. Fix it by hand, then install again.");
            }
            return editor.Text;
        });

    public static SettingsEditResult Uninstall(string path)
    {
        var result = SettingsFile.Edit(path, createIfMissing: false, text =>
        {
            var editor = new JsonTextEditor(text, path);
            while (Ours(editor.Root).FirstOrDefault() is { } ours) Remove(editor, ours);
            // The version line install wrote into the file it created goes with the last hook.
            if (editor.Root.Kind == JsonValueKind.Object && editor.Root.Members.Count == 1 && editor.Root.Get("version") is { Literal: "1" }
                && File.Exists(Path.GetFullPath(path) + SettingsFile.CreatedSuffix))
            {
                editor.RemoveMember(editor.Root, 0);
            }
            return editor.Text;
        });
        SettingsFile.DeleteIfCreatedAndEmpty(path, SettingsFile.IsEmptyJson);
        return result;
    }

    public static IReadOnlyList<(string EventName, string Command)> Installed(string path)
    {
        var text = SettingsFile.ReadBytes(path);
        if (text is null) return [];
        if (text.AsSpan().StartsWith("\uFEFF"u8)) text = text[3..];
        return Ours(new JsonTextEditor(text, path).Root).Select(o => (o.Event, o.Command)).ToList();
    }

    private sealed record Entry(string Event, int EventIndex, int Index, string Command);

    private static IEnumerable<Entry> Ours(JsonTextNode root)
    {
        if (root.Kind != JsonValueKind.Object || root.Get("hooks") is not { Kind: JsonValueKind.Object } hooks) yield break;
        for (var e = 0; e < hooks.Members.Count; e++)
        {
            var list = hooks.Members[e].Value;
            if (list.Kind != JsonValueKind.Array) continue;
            for (var i = 0; i < list.Items.Count; i++)
            {
                if (list.Items[i].Kind == JsonValueKind.Object && list.Items[i].GetString("command") is { } command && Marks.IsOursCommand(command))
                {
                    yield return new Entry(hooks.Members[e].Name, e, i, command);
                }
            }
        }
    }

    private static void Remove(JsonTextEditor editor, Entry ours)
    {
        var root = editor.Root;
        var hooksIndex = root.IndexOf("hooks");
        var hooks = root.Members[hooksIndex].Value;
        var list = hooks.Members[ours.EventIndex].Value;
        if (list.Items.Count > 1) editor.RemoveItem(list, ours.Index);
        else if (hooks.Members.Count > 1) editor.RemoveMember(hooks, ours.EventIndex);
        else editor.RemoveMember(root, hooksIndex);
    }

    private static JsonTextNode Require(JsonTextNode node, string what, string path) => node.Kind == JsonValueKind.Object
        ? node
        : throw new EngramException($"{what} of {path} is a JSON {HookGroupsFile.Describe(node.Kind)}, but Cursor expects an object there. Fix it by hand, then install again.");
}
