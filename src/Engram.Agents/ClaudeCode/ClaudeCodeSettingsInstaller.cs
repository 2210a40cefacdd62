using Engram.Agents.Adapters;
using Engram.Agents.Json;

namespace Engram.Agents.ClaudeCode;

/// <summary>
/// Adds Engram's hooks to a Claude Code settings.json and takes them out again (see <see cref="HookGroupsFile"/>
/// for how the file is edited).
/// </summary>
/// <remarks>
/// For each of <see cref="ClaudeCodeHookEvent.All"/>, install appends a matcher group
/// <c>{"matcher": ..., "hooks": [{"type": "command", "command": "&lt;engram&gt; hook claude-code &lt;event&gt;", "timeout": N}]}</c>
/// to <c>hooks.&lt;Event&gt;</c>, with <c>"async": true</c> on capture-only events. With a server URL, the
/// capture events post to <c>engram serve</c> instead (<c>"type": "http"</c>, no process per event); SessionStart
/// stays a command, since its output is the context.
/// </remarks>
public sealed class ClaudeCodeSettingsInstaller
{
    public const string Agent = "claude-code";

    /// <summary>The text every managed Engram hook command contains.</summary>
    public const string CommandMarker = " hook claude-code ";

    private static readonly HookGroupsFile File = new(Agent, "Claude Code");

    /// <param name="engramCommand">The engram executable as hooks should run it (a path or a name on PATH).</param>
    /// <param name="nativeHook">The native hook executable (<c>engram-hook</c>) to run instead, when installed.</param>
    /// <param name="serverUrl">A running <c>engram serve</c> (such as <c>http://127.0.0.1:37777</c>) to post capture events to.</param>
    public ClaudeCodeSettingsInstaller(string engramCommand, string? nativeHook = null, string? serverUrl = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(engramCommand);
        Options = new InstallOptions("user", "", engramCommand, string.IsNullOrWhiteSpace(nativeHook) ? null : nativeHook, serverUrl?.TrimEnd('/'));
    }

    public ClaudeCodeSettingsInstaller(InstallOptions options) => Options = options;

    public InstallOptions Options { get; }

    /// <summary>The command line Claude Code runs for an event, the executable quoted for the shell when needed.</summary>
    public string CommandFor(ClaudeCodeHookEvent hookEvent) => Options.HookCommand(Agent, hookEvent.CommandName);

    /// <summary>Adds Engram's hooks (creating the file and folder when missing); replaces an older Engram install in place.</summary>
    public SettingsEditResult Install(string settingsPath) => File.Install(settingsPath, ClaudeCodeHookEvent.All.Select(Group).ToList());

    /// <summary>Removes every Engram hook, and any matcher group, event list or hooks object that only Engram's entries filled.</summary>
    public static SettingsEditResult Uninstall(string settingsPath) => File.Uninstall(settingsPath);

    /// <summary>The Claude Code events (such as <c>PostToolUse</c>) that have an Engram hook in the file.</summary>
    public static IReadOnlyList<string> InstalledEvents(string settingsPath) =>
        InstalledCommands(settingsPath).Select(c => c.EventName).Distinct().ToList();

    /// <summary>Every Engram hook in the file: its Claude Code event and its command (or URL, for HTTP hooks).</summary>
    public static IReadOnlyList<(string EventName, string Command)> InstalledCommands(string settingsPath) => File.Installed(settingsPath);

    private HookGroup Group(ClaudeCodeHookEvent hookEvent)
    {
        JsonOut hook;
        if (Options.ServerUrl is { } server && hookEvent.Kind != AgentEventKind.SessionStart)
        {
            hook = JsonOut.Object(
                ("type", JsonOut.Of("http")),
                ("url", JsonOut.Of($"{server}/api/v1/hooks/{Agent}/{hookEvent.CommandName}")),
                ("timeout", JsonOut.Of(hookEvent.TimeoutSeconds)));
        }
        else
        {
            var members = new List<(string, JsonOut)>
            {
                ("type", JsonOut.Of("command")),
                ("command", JsonOut.Of(CommandFor(hookEvent))),
                ("timeout", JsonOut.Of(hookEvent.TimeoutSeconds)),
            };
            if (hookEvent.Async) members.Add(("async", JsonOut.Of(true)));
            hook = JsonOut.Object([.. members]);
        }
        return new HookGroup(hookEvent.Name, hookEvent.Matcher, hook);
    }
}
