using System.Text.Json.Nodes;

namespace Engram.Cli.Tests;

/// <summary>Builds the JSON Claude Code sends to hooks, for one session in one working directory.</summary>
public sealed class ClaudeCodeSession(string sessionId, string cwd)
{
    private int _tools;

    public string SessionId { get; } = sessionId;
    public string Cwd { get; } = cwd;

    private JsonObject Base(string eventName) => new()
    {
        ["session_id"] = SessionId,
        ["transcript_path"] = Path.Combine(Cwd, ".transcript.jsonl"),
        ["cwd"] = Cwd,
        ["permission_mode"] = "default",
        ["hook_event_name"] = eventName,
    };

    public string SessionStart(string source = "startup")
    {
        var json = Base("SessionStart");
        json["source"] = source;
        return json.ToJsonString();
    }

    public string Prompt(string prompt)
    {
        var json = Base("UserPromptSubmit");
        json["prompt"] = prompt;
        return json.ToJsonString();
    }

    public string Read(string relativePath, string content) => Tool("Read",
        new JsonObject { ["file_path"] = Path.Combine(Cwd, relativePath) },
        new JsonObject { ["type"] = "text", ["file"] = new JsonObject { ["filePath"] = Path.Combine(Cwd, relativePath), ["content"] = content } });

    public string Bash(string command, string stdout, string stderr = "") => Tool("Bash",
        new JsonObject { ["command"] = command, ["description"] = "run " + command },
        new JsonObject { ["stdout"] = stdout, ["stderr"] = stderr, ["interrupted"] = false, ["isImage"] = false });

    public string Edit(string relativePath, string oldString, string newString) => Tool("Edit",
        new JsonObject { ["file_path"] = Path.Combine(Cwd, relativePath), ["old_string"] = oldString, ["new_string"] = newString },
        new JsonObject { ["filePath"] = Path.Combine(Cwd, relativePath), ["oldString"] = oldString, ["newString"] = newString });

    public string TodoWrite() => Tool("TodoWrite",
        new JsonObject { ["todos"] = new JsonArray(new JsonObject { ["content"] = "fix it", ["status"] = "in_progress" }) },
        new JsonObject { ["ok"] = true });

    public string Stop(string lastAssistantMessage)
    {
        var json = Base("Stop");
        json["stop_hook_active"] = false;
        json["last_assistant_message"] = lastAssistantMessage;
        return json.ToJsonString();
    }

    public string SessionEnd(string reason = "prompt_input_exit")
    {
        var json = Base("SessionEnd");
        json["reason"] = reason;
        return json.ToJsonString();
    }

    /// <summary>A failed Bash call as Claude Code 2.1 sends it: PostToolUseFailure, an <c>error</c> and no tool_response.</summary>
    public string BashFailure(string command, string error)
    {
        var json = Base("PostToolUseFailure");
        json["tool_name"] = "Bash";
        json["tool_input"] = new JsonObject { ["command"] = command, ["description"] = "run " + command };
        json["tool_use_id"] = $"toolu_{SessionId}_{++_tools:D3}";
        json["duration_ms"] = 412;
        json["is_interrupt"] = false;
        json["error"] = error;
        return json.ToJsonString();
    }

    private string Tool(string name, JsonObject input, JsonObject response)
    {
        var json = Base("PostToolUse");
        json["tool_name"] = name;
        json["tool_input"] = input;
        json["tool_response"] = response;
        json["tool_use_id"] = $"toolu_{SessionId}_{++_tools:D3}";
        return json.ToJsonString();
    }
}
