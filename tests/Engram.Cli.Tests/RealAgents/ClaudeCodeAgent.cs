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
