using System.Text.Json.Nodes;
using Engram.Testing;
using Engram.Testing.ModelServers;

namespace Engram.Cli.Tests.RealAgents;

/// <summary>Claude Code 2.1 (<c>claude -p</c>) against a fake Anthropic Messages API.</summary>
internal sealed class ClaudeCodeAgent() : RealAgent(new FakeAnthropicServer())
{
    public override string Name => "claude-code";

    public override IReadOnlyList<string> FirstSessionEvents { get; } =
    [
        "claude-code/session-start", "claude-code/user-prompt-submit", "claude-code/post-tool-use",
        "claude-code/post-tool-use-failure", "claude-code/post-tool-use", "claude-code/post-tool-use",
        "claude-code/stop", "claude-code/session-end",
    ];

    private string SessionEndTrace => System.IO.Path.Combine(Home, "session-end-started");

    /// <summary>
    /// A headless Claude Code 2.1.197 session now and then ends with status 0 and its session-end never captured, with
    /// no trace of Engram's hook at all: no spool file, no log line, nothing on Claude Code's stderr (about one run in
    /// five here, under strace none in eight). To tell a hook Claude Code never started from an event Engram lost, the
    /// installed SessionEnd command is prefixed with a line that notes its start: a session-end is expected exactly
    /// when the hook started, and once started Engram must not lose it.
    /// </summary>
    public override IReadOnlyList<string> FirstSessionEventsStarted() =>
        File.Exists(SessionEndTrace) ? FirstSessionEvents : [.. FirstSessionEvents.Where(e => e != "claude-code/session-end")];

    protected override void Installed()
    {
        var file = System.IO.Path.Combine(Home, ".claude", "settings.json");
        var settings = JsonNode.Parse(File.ReadAllText(file))!;
        foreach (var group in settings["hooks"]!["SessionEnd"]!.AsArray())
        {
            foreach (var hook in group!["hooks"]!.AsArray())
            {
                hook!["command"] = $"printf started >> '{SessionEndTrace}'; {hook["command"]!.GetValue<string>()}";
            }
        }
        File.WriteAllText(file, settings.ToJsonString());
    }

    public override ModelTurn ReadFile(string relativePath) =>
        ModelTurn.CallTool("Read", new JsonObject { ["file_path"] = PathIn(relativePath) });

    public override ModelTurn RunCommand(string command) =>
        ModelTurn.CallTool("Bash", new JsonObject { ["command"] = command, ["description"] = "Run " + command });

    public override ModelTurn EditFile(string relativePath, string oldText, string newText) =>
        ModelTurn.CallTool("Edit", new JsonObject { ["file_path"] = PathIn(relativePath), ["old_string"] = oldText, ["new_string"] = newText });

    public override ModelTurn SearchMemories(string query) =>
        ModelTurn.CallTool("mcp__engram__search", new JsonObject { ["query"] = query });

    protected override void Configure()
    {
        // Claude Code needs no file of its own: the provider comes from the environment.
    }

    protected override (string Executable, IEnumerable<string> Arguments) Headless(string prompt) => ("claude", ClaudeCodeHeadless.Arguments(prompt));

    protected override IEnumerable<KeyValuePair<string, string>> AgentEnvironment() => ClaudeCodeHeadless.Environment(Model.Root);
}
