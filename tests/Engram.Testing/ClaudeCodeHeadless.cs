namespace Engram.Testing;

/// <summary>How a headless Claude Code session (<c>claude -p</c>) is pointed at a fake Anthropic server and kept offline.</summary>
public static class ClaudeCodeHeadless
{
    public static IEnumerable<string> Arguments(string prompt) =>
        ["-p", prompt, "--output-format", "json", "--allowedTools", "Read Bash Edit mcp__engram"];

    public static IEnumerable<KeyValuePair<string, string>> Environment(string modelRoot) =>
    [
        new("ANTHROPIC_BASE_URL", modelRoot),
        new("ANTHROPIC_API_KEY", "sk-ant-fake-key-for-tests"),
        new("DISABLE_TELEMETRY", "1"),
        new("DISABLE_AUTOUPDATER", "1"),
        new("DISABLE_ERROR_REPORTING", "1"),
        new("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"),
    ];
}
