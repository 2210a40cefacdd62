namespace Engram.Agents.Tests.ClaudeCode;

/// <summary>Settings files as people and Claude Code write them.</summary>
public static class SettingsSamples
{
    public const string WithUserHooks = """
        {
          "$schema": "https://json.schemastore.org/claude-code-settings.json",
          "permissions": {
            "allow": [
              "Bash(npm run lint)",
              "Read(~/.zshrc)"
            ],
            "deny": []
          },
          "env": {
            "CLAUDE_CODE_ENABLE_TELEMETRY": "0",
            "UNICODE": "café ✓ \u00e9"
          },
          "hooks": {
            "PostToolUse": [
              {
                "matcher": "Edit|Write",
                "hooks": [
                  {
                    "type": "command",
                    "command": "npx prettier --write \"$CLAUDE_FILE_PATHS\""
                  }
                ]
              }
            ],
            "Notification": [
              {
                "hooks": [
                  {
                    "type": "command",
                    "command": "notify-send 'Claude needs you'"
                  }
                ]
              }
            ]
          },
          "model": "opus",
          "includeCoAuthoredBy": false
        }
        """;

    public const string WithoutHooks = """
        {
          "permissions": {
            "allow": [],
            "defaultMode": "acceptEdits"
          },
          "model": "sonnet"
        }

        """;

    public const string FourSpacesCrlf =
        "{\r\n    \"model\": \"opus\",\r\n    \"hooks\": {\r\n        \"Stop\": [\r\n            {\r\n                \"hooks\": [\r\n                    {\r\n                        \"type\": \"command\",\r\n                        \"command\": \"say done\"\r\n                    }\r\n                ]\r\n            }\r\n        ]\r\n    }\r\n}\r\n";

    public const string CompactOneLine = """{"model":"opus","hooks":{"PostToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"audit.sh"}]}]}}""";

    public const string WithCommentsAndTrailingCommas = """
        {
          // chosen after a long debate
          "model": "opus",
          "hooks": {
            /* keep this one */
            "SessionStart": [
              {
                "matcher": "startup",
                "hooks": [{ "type": "command", "command": "echo hi" },],
              },
            ],
          },
        }
        """;
}
