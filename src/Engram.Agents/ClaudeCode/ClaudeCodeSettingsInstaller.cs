using System.Text.Json;
using Engram.Agents.Json;
using Engram.Core;

namespace Engram.Agents.ClaudeCode;

/// <summary>
/// Adds Engram's hooks to a Claude Code settings.json and takes them out again.
/// </summary>
/// <remarks>
/// <para>For each of <see cref="ClaudeCodeHookEvent.All"/>, install appends a matcher group
/// <c>{"matcher": ..., "hooks": [{"type": "command", "command": "&lt;engram&gt; hook claude-code &lt;event&gt;", "timeout": N}]}</c>
/// to <c>hooks.&lt;Event&gt;</c>. Engram's entries are recognised by <see cref="CommandMarker"/> in the command.</para>
/// <para>Installing twice changes nothing; an outdated Engram entry (another path, timeout or matcher) is
/// replaced. The user's settings and hooks, including their own hooks on the same events, are kept byte
/// for byte: only the text of Engram's entries is inserted or removed, so uninstall after install gives
/// back the original file. A backup (<c>settings.json.engram-backup</c>) is written before any change,
/// and a file that is not valid JSON is refused, never overwritten.</para>
/// </remarks>
public sealed class ClaudeCodeSettingsInstaller
{
    /// <summary>The text every managed Engram hook command contains, and by which uninstall finds them.</summary>
    public const string CommandMarker = " hook claude-code ";

    /// <summary>The native hook's executable name; its commands are <c>&lt;path&gt;/engram-hook claude-code &lt;event&gt;</c>.</summary>
    public const string NativeHookName = "engram-hook";

    /// <param name="engramCommand">The engram executable as hooks should run it (a path or a name on PATH).</param>
    /// <param name="nativeHook">The native hook executable (<c>engram-hook</c>) to run instead, when installed.</param>
    public ClaudeCodeSettingsInstaller(string engramCommand, string? nativeHook = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(engramCommand);
        EngramCommand = engramCommand;
        NativeHook = string.IsNullOrWhiteSpace(nativeHook) ? null : nativeHook;
    }

    public string EngramCommand { get; }

    public string? NativeHook { get; }

    /// <summary>The command line Claude Code runs for an event, the executable quoted for the shell when needed.</summary>
    public string CommandFor(ClaudeCodeHookEvent hookEvent) => NativeHook is { } native
        ? $"{ShellQuote(native)} claude-code {hookEvent.CommandName}"
        : $"{ShellQuote(EngramCommand)}{CommandMarker}{hookEvent.CommandName}";

    /// <summary>True for a command Engram's install wrote: the managed <c>engram hook claude-code</c> or the native hook.</summary>
    public static bool IsEngramCommand(string command) =>
        command.Contains(CommandMarker, StringComparison.Ordinal)
        || (command.Contains(NativeHookName, StringComparison.Ordinal) && command.Contains(" claude-code ", StringComparison.Ordinal));

    /// <summary>True for an Engram command that starts the .NET runtime on every event (the managed <c>engram hook</c>).</summary>
    public static bool IsManagedCommand(string command) => command.Contains(CommandMarker, StringComparison.Ordinal);

    /// <summary>Adds Engram's hooks (creating the file and folder when missing).</summary>
    /// <exception cref="EngramException">The file is not valid JSON or has a shape Claude Code would not accept.</exception>
    public SettingsEditResult Install(string settingsPath) =>
        SettingsFile.Edit(settingsPath, createIfMissing: true, text =>
        {
            var editor = new JsonTextEditor(text, settingsPath);
            foreach (var hookEvent in ClaudeCodeHookEvent.All) InstallEvent(editor, hookEvent, settingsPath);
            return editor.Text;
        });

    /// <summary>Removes every Engram hook, and any matcher group, event list or hooks object that only Engram's entries filled.</summary>
    public static SettingsEditResult Uninstall(string settingsPath) =>
        SettingsFile.Edit(settingsPath, createIfMissing: false, text =>
        {
            var editor = new JsonTextEditor(text, settingsPath);
            while (FindOurs(editor.Root).FirstOrDefault() is { } ours) Remove(editor, ours);
            return editor.Text;
        });

    /// <summary>The Claude Code events (such as <c>PostToolUse</c>) that have an Engram hook in the file.</summary>
    public static IReadOnlyList<string> InstalledEvents(string settingsPath) =>
        InstalledCommands(settingsPath).Select(c => c.EventName).Distinct().ToList();

    /// <summary>Every Engram hook in the file: its Claude Code event and its command.</summary>
    public static IReadOnlyList<(string EventName, string Command)> InstalledCommands(string settingsPath)
    {
        var text = SettingsFile.ReadBytes(settingsPath);
        if (text is null) return [];
        if (text.AsSpan().StartsWith("\uFEFF"u8)) text = text[3..];
        var editor = new JsonTextEditor(text, settingsPath);
        return FindOurs(editor.Root).Select(o => (o.EventName, o.Hook.GetString("command") ?? "")).ToList();
    }

    private void InstallEvent(JsonTextEditor editor, ClaudeCodeHookEvent hookEvent, string path)
    {
        var group = GroupFor(hookEvent);
        while (true)
        {
            var root = RequireObject(editor.Root, "the top level", path);
            if (root.Get("hooks") is not { } hooks)
            {
                editor.AppendMember(root, "hooks", JsonOut.Object((hookEvent.Name, JsonOut.Array(group))));
                return;
            }
            RequireObject(hooks, "\"hooks\"", path);
            if (hooks.Get(hookEvent.Name) is not { } groups)
            {
                editor.AppendMember(hooks, hookEvent.Name, JsonOut.Array(group));
                return;
            }
            if (groups.Kind != JsonValueKind.Array)
            {
                throw new EngramException(
                    $"\"hooks.{hookEvent.Name}\" in {path} is a JSON {Describe(groups.Kind)}, but Claude Code expects a list of matcher groups. Fix it by hand, then install again.");
            }

            var ours = FindOurs(editor.Root).Where(o => o.EventName == hookEvent.Name).ToList();
            if (ours.Count == 0)
            {
                editor.AppendItem(groups, group);
                return;
            }
            if (ours.Count == 1 && IsCurrent(ours[0], hookEvent)) return;
            Remove(editor, ours[0]); // outdated or duplicated: take it out, then look again
        }
    }

    private JsonOut GroupFor(ClaudeCodeHookEvent hookEvent)
    {
        var hook = JsonOut.Object(
            ("type", JsonOut.Of("command")),
            ("command", JsonOut.Of(CommandFor(hookEvent))),
            ("timeout", JsonOut.Of(hookEvent.TimeoutSeconds)));
        return hookEvent.Matcher is null
            ? JsonOut.Object(("hooks", JsonOut.Array(hook)))
            : JsonOut.Object(("matcher", JsonOut.Of(hookEvent.Matcher)), ("hooks", JsonOut.Array(hook)));
    }

    private bool IsCurrent(OurHook ours, ClaudeCodeHookEvent hookEvent)
    {
        var matcher = ours.Group.Get("matcher");
        var matcherOk = hookEvent.Matcher is null
            ? matcher is null || matcher is { Kind: JsonValueKind.String, String: "" }
            : matcher is { Kind: JsonValueKind.String } && matcher.String == hookEvent.Matcher;
        return matcherOk
            && ours.Hook.GetString("type") == "command"
            && ours.Hook.GetString("command") == CommandFor(hookEvent)
            && ours.Hook.Get("timeout") is { Kind: JsonValueKind.Number } timeout
            && timeout.Literal == hookEvent.TimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Where one Engram hook sits: hooks.&lt;event&gt;[group].hooks[hook].</summary>
    private sealed record OurHook(string EventName, int EventIndex, int GroupIndex, JsonTextNode Group, int HookIndex, JsonTextNode Hook);

    private static IEnumerable<OurHook> FindOurs(JsonTextNode root)
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
                    var hook = list.Items[h];
                    if (hook.Kind == JsonValueKind.Object && hook.GetString("command") is { } command
                        && IsEngramCommand(command))
                    {
                        yield return new OurHook(hooks.Members[e].Name, e, g, group, h, hook);
                    }
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

    private static JsonTextNode RequireObject(JsonTextNode node, string what, string path)
    {
        if (node.Kind == JsonValueKind.Object) return node;
        throw new EngramException(
            $"{what} of {path} is a JSON {Describe(node.Kind)}, but Claude Code settings must be an object there. Fix it by hand, then install again.");
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    /// <summary>Quotes an executable path for the shell Claude Code runs hooks in, when it needs quoting.</summary>
    internal static string ShellQuote(string command)
    {
        foreach (var c in command)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "/\\._-+:@%=,~".Contains(c, StringComparison.Ordinal)))
            {
                return "\"" + command
                    .Replace("\"", "\\\"", StringComparison.Ordinal)
                    .Replace("$", "\\$", StringComparison.Ordinal)
                    .Replace("`", "\\`", StringComparison.Ordinal) + "\"";
            }
        }
        return command;
    }
}
