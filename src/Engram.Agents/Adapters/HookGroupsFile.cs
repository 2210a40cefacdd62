using System.Text.Json;
using Engram.Agents.Json;
using Engram.Core;

namespace Engram.Agents.Adapters;

/// <summary>One hook Engram registers: the agent's event name, its matcher (null for none) and the hook object.</summary>
internal sealed record HookGroup(string EventName, string? Matcher, JsonOut Hook);

/// <summary>
/// Engram's hooks in a JSON file of the matcher-group shape Claude Code, Codex and Gemini CLI share:
/// <c>{"hooks":{"&lt;Event&gt;":[{"matcher":"...","hooks":[{"type":"command","command":"...",...}]}]}}</c>.
/// </summary>
/// <remarks>
/// Only the bytes of Engram's own entries change: the user's settings and hooks, including their own
/// hooks on the same events, keep every byte, so uninstall after install gives back the original file.
/// Install is idempotent, replaces an outdated Engram entry and removes Engram entries on events it no
/// longer uses (an older install is upgraded in place). A container (matcher group, event list,
/// <c>hooks</c> object) goes on uninstall only when Engram's entry was all it held.
/// </remarks>
internal sealed class HookGroupsFile(string agentName, string agentDisplayName)
{
    /// <summary>Whether a hook entry is one of Engram's for this agent: the managed or native command, or the HTTP endpoint.</summary>
    public bool IsOurs(JsonTextNode hook)
    {
        if (hook.Kind != JsonValueKind.Object) return false;
        if (hook.GetString("command") is { } command) return IsOursCommand(command);
        return hook.GetString("url") is { } url && url.Contains($"/api/v1/hooks/{agentName}/", StringComparison.Ordinal);
    }

    /// <summary>Whether a hook command is Engram's for this agent: <c>engram hook AGENT EVENT</c> or <c>engram-hook AGENT EVENT</c>.</summary>
    public bool IsOursCommand(string command) =>
        command.Contains($" hook {agentName} ", StringComparison.Ordinal)
        || (command.Contains("engram-hook", StringComparison.Ordinal) && command.Contains($" {agentName} ", StringComparison.Ordinal));

    /// <summary>Adds Engram's hooks, creating the file and folder when missing.</summary>
    /// <exception cref="EngramException">The file is not valid JSON or has a shape the agent would not accept.</exception>
    public SettingsEditResult Install(string path, IReadOnlyList<HookGroup> groups) =>
        SettingsFile.Edit(path, createIfMissing: true, text =>
        {
            var editor = new JsonTextEditor(text, path);
            // Entries of an older install on events this version no longer uses go first.
            var wanted = groups.Select(g => g.EventName).ToHashSet(StringComparer.Ordinal);
            while (FindOurs(editor.Root).FirstOrDefault(o => !wanted.Contains(o.EventName)) is { } stale) Remove(editor, stale);
            foreach (var group in groups) InstallGroup(editor, group, path);
            return editor.Text;
        });

    /// <summary>Removes every Engram hook of this agent; a file install created goes when nothing else is left in it.</summary>
    public SettingsEditResult Uninstall(string path)
    {
        var result = SettingsFile.Edit(path, createIfMissing: false, text =>
        {
            var editor = new JsonTextEditor(text, path);
            while (FindOurs(editor.Root).FirstOrDefault() is { } ours) Remove(editor, ours);
            return editor.Text;
        });
        SettingsFile.DeleteIfCreatedAndEmpty(path, SettingsFile.IsEmptyJson);
        return result;
    }

    /// <summary>Every Engram hook in the file: the event and its command (or URL).</summary>
    public IReadOnlyList<(string EventName, string Command)> Installed(string path)
    {
        var text = SettingsFile.ReadBytes(path);
        if (text is null) return [];
        if (text.AsSpan().StartsWith("\uFEFF"u8)) text = text[3..];
        var editor = new JsonTextEditor(text, path);
        return FindOurs(editor.Root).Select(o => (o.EventName, o.Hook.GetString("command") ?? o.Hook.GetString("url") ?? "")).ToList();
    }

    private void InstallGroup(JsonTextEditor editor, HookGroup group, string path)
    {
        var wanted = group.Matcher is null
            ? JsonOut.Object(("hooks", JsonOut.Array(group.Hook)))
            : JsonOut.Object(("matcher", JsonOut.Of(group.Matcher)), ("hooks", JsonOut.Array(group.Hook)));
        while (true)
        {
            var root = RequireObject(editor.Root, "the top level", path);
            if (root.Get("hooks") is not { } hooks)
            {
                editor.AppendMember(root, "hooks", JsonOut.Object((group.EventName, JsonOut.Array(wanted))));
                return;
            }
            RequireObject(hooks, "\"hooks\"", path);
            if (hooks.Get(group.EventName) is not { } groups)
            {
                editor.AppendMember(hooks, group.EventName, JsonOut.Array(wanted));
                return;
            }
            if (groups.Kind != JsonValueKind.Array)
            {
                throw new EngramException(
                    $"\"hooks.{group.EventName}\" in {path} is a JSON {Describe(groups.Kind)}, but {agentDisplayName} expects a list of matcher groups. Fix it by hand, then install again.");
            }
            var ours = FindOurs(editor.Root).Where(o => o.EventName == group.EventName).ToList();
            if (ours.Count == 0)
            {
                editor.AppendItem(groups, wanted);
                return;
            }
            if (ours.Count == 1 && IsCurrent(ours[0], group)) return;
            Remove(editor, ours[0]); // outdated or duplicated: take it out, then look again
        }
    }

    private static bool IsCurrent(OurHook ours, HookGroup group)
    {
        var matcher = ours.Group.Get("matcher");
        var matcherOk = group.Matcher is null
            ? matcher is null || matcher is { Kind: JsonValueKind.String, String: "" }
            : matcher is { Kind: JsonValueKind.String } && matcher.String == group.Matcher;
        return matcherOk && group.Hook.Matches(ours.Hook);
    }

    /// <summary>Where one Engram hook sits: hooks.&lt;event&gt;[group].hooks[hook].</summary>
    private sealed record OurHook(string EventName, int EventIndex, int GroupIndex, JsonTextNode Group, int HookIndex, JsonTextNode Hook);

    private IEnumerable<OurHook> FindOurs(JsonTextNode root)
    {
        if (root.Kind != JsonValueKind.Object || root.Get("hooks") is not { Kind: JsonValueKind.Object } hooks) yield break;
        for (var e = 0; e < hooks.Members.Count; e++)
        {
            var groups = hooks.Members[e].Value;
            if (groups.Kind != JsonValueKind.Array) continue;
            for (var g = 0; g < groups.Items.Count; g++)
            {
                var group = groups.Items[g];
                if (group.Kind != JsonValueKind.Object || group.Get("hooks") is not { Kind: JsonValueKind.Array } list) continue;
                for (var h = 0; h < list.Items.Count; h++)
                {
                    if (IsOurs(list.Items[h])) yield return new OurHook(hooks.Members[e].Name, e, g, group, h, list.Items[h]);
                }
            }
        }
    }

    /// <summary>Removes one Engram hook; a container goes too when the hook was all it held.</summary>
    private static void Remove(JsonTextEditor editor, OurHook ours)
    {
        var root = editor.Root;
        var hooksIndex = root.IndexOf("hooks");
        var hooks = root.Members[hooksIndex].Value;
        var groups = hooks.Members[ours.EventIndex].Value;
        var list = ours.Group.Get("hooks")!;

        if (list.Items.Count > 1) editor.RemoveItem(list, ours.HookIndex);
        else if (groups.Items.Count > 1) editor.RemoveItem(groups, ours.GroupIndex);
        else if (hooks.Members.Count > 1) editor.RemoveMember(hooks, ours.EventIndex);
        else editor.RemoveMember(root, hooksIndex);
    }

    private JsonTextNode RequireObject(JsonTextNode node, string what, string path)
    {
        if (node.Kind == JsonValueKind.Object) return node;
        throw new EngramException(
            $"{what} of {path} is a JSON {Describe(node.Kind)}, but {agentDisplayName} settings must be an object there. Fix it by hand, then install again.");
    }

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };
}
