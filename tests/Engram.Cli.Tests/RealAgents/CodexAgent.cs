using System.Text.Json.Nodes;
using Engram.Testing.ModelServers;

namespace Engram.Cli.Tests.RealAgents;

/// <summary>
/// Codex CLI 0.171 (<c>codex exec</c>) against a fake OpenAI Responses API, configured as a custom model provider in
/// <c>$CODEX_HOME/config.toml</c>. Codex reads files and runs tests through its shell tool (<c>exec_command</c>) and
/// edits with the freeform <c>apply_patch</c> tool (offered for a known model such as gpt-5.5). It runs a hook only
/// once the hook is trusted, so the session runs without <c>--dangerously-bypass-hook-trust</c>: Engram's install
/// must leave its hooks trusted. With gpt-5.5 Codex defers MCP tools behind its tool_search tool; a direct call of
/// the namespaced function (namespace <c>mcp__engram</c>, name <c>search</c>) still runs, and that is what the model makes.
/// </summary>
internal sealed class CodexAgent() : RealAgent(new FakeResponsesServer())
{
    private string CodexHome => Path.Combine(Home, ".codex");

    public override string Name => "codex";

    public override IReadOnlyList<string> FirstSessionEvents { get; } =
    [
        "codex/session-start", "codex/user-prompt-submit", "codex/post-tool-use", "codex/post-tool-use",
        "codex/post-tool-use", "codex/post-tool-use", "codex/stop", "codex/session-end",
    ];

    public override ModelTurn ReadFile(string relativePath) => Shell("cat " + relativePath);

    public override ModelTurn RunCommand(string command) => Shell(command);

    public override ModelTurn EditFile(string relativePath, string oldText, string newText) =>
        ModelTurn.CallFreeformTool("apply_patch", $"*** Begin Patch\n*** Update File: {relativePath}\n@@\n-{CurrentLine(relativePath, oldText)}\n+{CurrentLine(relativePath, oldText).Replace(oldText, newText, StringComparison.Ordinal)}\n*** End Patch\n");

    public override ModelTurn SearchMemories(string query) =>
        ModelTurn.CallTool("search", new JsonObject { ["query"] = query }, inNamespace: "mcp__engram");

    private static ModelTurn Shell(string command) => ModelTurn.CallTool("exec_command", new JsonObject { ["cmd"] = command });

    /// <summary>The project line holding the text, as apply_patch needs whole lines.</summary>
    private string CurrentLine(string relativePath, string text) =>
        File.ReadAllLines(PathIn(relativePath)).First(line => line.Contains(text, StringComparison.Ordinal));

    protected override void Configure()
    {
        Directory.CreateDirectory(CodexHome);
        File.WriteAllText(Path.Combine(CodexHome, "config.toml"), $"""
            model = "gpt-5.5"
            model_provider = "fake"
            check_for_update_on_startup = false

            [model_providers.fake]
            name = "fake"
            base_url = "{Model.Root}/v1"
            wire_api = "responses"
            env_key = "FAKE_OPENAI_KEY"

            [analytics]
            enabled = false

            """);
    }

    protected override (string Executable, IEnumerable<string> Arguments) Headless(string prompt) =>
        ("codex", ["exec", "--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox", prompt]);

    protected override IEnumerable<KeyValuePair<string, string>> AgentEnvironment() =>
    [
        new("CODEX_HOME", CodexHome),
        new("FAKE_OPENAI_KEY", "sk-fake-key-for-tests"),
    ];
}
