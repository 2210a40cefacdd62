using System.Text.Json.Nodes;
using Engram.Testing.ModelServers;

namespace Engram.Cli.Tests.RealAgents;

/// <summary>
/// Gemini CLI 0.61 (<c>gemini -p</c>) against a fake Gemini API (<c>GOOGLE_GEMINI_BASE_URL</c> and an API key).
/// Headless Gemini CLI refuses an untrusted folder and runs no hooks there, so the workspace is trusted
/// the documented way for automation (<c>GEMINI_CLI_TRUST_WORKSPACE=true</c>).
/// </summary>
internal sealed class GeminiAgent() : RealAgent(new FakeGeminiServer())
{
    public override string Name => "gemini";

    public override IReadOnlyList<string> FirstSessionEvents { get; } =
    [
        "gemini/session-start", "gemini/before-agent", "gemini/after-tool", "gemini/after-tool",
        "gemini/after-tool", "gemini/after-tool", "gemini/after-agent", "gemini/session-end",
    ];

    /// <summary>Gemini CLI escapes &lt; and &gt; in a hook's context before wrapping it in &lt;hook_context&gt;.</summary>
    public override string AsSentToModel(string contextText) =>
        contextText.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    public override ModelTurn ReadFile(string relativePath) =>
        ModelTurn.CallTool("read_file", new JsonObject { ["file_path"] = relativePath });

    public override ModelTurn RunCommand(string command) =>
        ModelTurn.CallTool("run_shell_command", new JsonObject { ["command"] = command });

    public override ModelTurn EditFile(string relativePath, string oldText, string newText) =>
        ModelTurn.CallTool("replace", new JsonObject
        {
            ["file_path"] = PathIn(relativePath), ["old_string"] = oldText, ["new_string"] = newText, ["instruction"] = "Remove the off-by-one.",
        });

    public override ModelTurn SearchMemories(string query) =>
        ModelTurn.CallTool("mcp_engram_search", new JsonObject { ["query"] = query });

    protected override void Configure()
    {
        var folder = Path.Combine(Home, ".gemini");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "settings.json"), """
            {
              "security": { "auth": { "selectedType": "gemini-api-key" } },
              "privacy": { "usageStatisticsEnabled": false },
              "general": { "disableAutoUpdate": true }
            }

            """);
    }

    protected override (string Executable, IEnumerable<string> Arguments) Headless(string prompt) =>
        ("gemini", ["-p", prompt, "--yolo", "--output-format", "json"]);

    protected override IEnumerable<KeyValuePair<string, string>> AgentEnvironment() =>
    [
        new("GEMINI_API_KEY", "fake-gemini-key-for-tests"),
        new("GOOGLE_GEMINI_BASE_URL", Model.Root),
        new("GEMINI_CLI_TRUST_WORKSPACE", "true"),
        new("GEMINI_TELEMETRY_ENABLED", "false"),
    ];
}
