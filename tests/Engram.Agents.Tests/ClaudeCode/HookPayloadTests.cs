using System.Text;
using System.Text.Json;
using Engram.Agents.Adapters;
using Engram.Agents.ClaudeCode;

namespace Engram.Agents.Tests.ClaudeCode;

public sealed class HookPayloadTests
{
    [Fact]
    public void Reads_a_post_tool_use_payload_with_raw_tool_json()
    {
        const string json = """
            {
              "session_id": "abc123",
              "transcript_path": "/home/u/.claude/projects/p/abc123.jsonl",
              "cwd": "/home/u/shop-api",
              "permission_mode": "default",
              "hook_event_name": "PostToolUse",
              "tool_name": "Write",
              "tool_input": {"file_path": "/home/u/shop-api/a.cs", "content": "class A { string s = \"\u00e9\\n\"; }"},
              "tool_response": {"filePath": "/home/u/shop-api/a.cs", "success": true, "nested": [1, {"x": null}]},
              "tool_use_id": "toolu_01ABC"
            }
            """;

        var payload = HookPayload.Parse(json);

        Assert.Null(payload.ParseError);
        Assert.Equal("abc123", payload.SessionId);
        Assert.Equal("/home/u/.claude/projects/p/abc123.jsonl", payload.TranscriptPath);
        Assert.Equal("/home/u/shop-api", payload.Cwd);
        Assert.Equal("default", payload.PermissionMode);
        Assert.Equal("PostToolUse", payload.HookEventName);
        Assert.Equal("Write", payload.ToolName);
        Assert.Equal("toolu_01ABC", payload.ToolUseId);
        Assert.Equal("""{"file_path": "/home/u/shop-api/a.cs", "content": "class A { string s = \"\u00e9\\n\"; }"}""", payload.ToolInputJson);
        Assert.Equal("""{"filePath": "/home/u/shop-api/a.cs", "success": true, "nested": [1, {"x": null}]}""", payload.ToolResponseJson);
        using var input = JsonDocument.Parse(payload.ToolInputJson!);
        Assert.Equal("class A { string s = \"é\\n\"; }", input.RootElement.GetProperty("content").GetString());
    }

    [Fact]
    public void Reads_every_other_event_field()
    {
        var start = HookPayload.Parse("""{"hook_event_name":"SessionStart","source":"resume","session_id":"s"}""");
        Assert.Equal("resume", start.Source);

        var prompt = HookPayload.Parse("""{"hook_event_name":"UserPromptSubmit","prompt":"fix the \"login\" bug\nplease"}""");
        Assert.Equal("fix the \"login\" bug\nplease", prompt.Prompt);

        var stop = HookPayload.Parse("""{"hook_event_name":"Stop","stop_hook_active":true,"last_assistant_message":"Done."}""");
        Assert.True(stop.StopHookActive);
        Assert.Equal("Done.", stop.LastAssistantMessage);

        var end = HookPayload.Parse("""{"hook_event_name":"SessionEnd","reason":"prompt_input_exit"}""");
        Assert.Equal("prompt_input_exit", end.Reason);

        var compact = HookPayload.Parse("""{"hook_event_name":"PreCompact","trigger":"manual","custom_instructions":"keep the plan"}""");
        Assert.Equal("manual", compact.Trigger);
        Assert.Equal("keep the plan", compact.CustomInstructions);
    }

    [Fact]
    public void Tool_response_that_is_a_string_stays_a_json_string()
    {
        var payload = HookPayload.Parse("""{"tool_response":"line 1\nline \"2\"","tool_input":42}""");
        Assert.Equal("\"line 1\\nline \\\"2\\\"\"", payload.ToolResponseJson);
        Assert.Equal("42", payload.ToolInputJson);
        Assert.Equal("line 1\nline \"2\"", JsonDocument.Parse(payload.ToolResponseJson!).RootElement.GetString());
    }

    [Fact]
    public void Unknown_fields_are_ignored_and_missing_fields_are_null()
    {
        var payload = HookPayload.Parse("""{"future_field":{"deep":[1,2,{"a":"b"}]},"session_id":"s1","another":[true]}""");

        Assert.Null(payload.ParseError);
        Assert.Equal("s1", payload.SessionId);
        Assert.Null(payload.Cwd);
        Assert.Null(payload.ToolInputJson);
        Assert.Null(payload.StopHookActive);
    }

    [Fact]
    public void Wrong_types_count_as_missing()
    {
        var payload = HookPayload.Parse("""{"session_id":12,"cwd":{"path":"/x"},"prompt":["a"],"stop_hook_active":"yes","tool_input":null,"tool_name":"Bash"}""");

        Assert.Null(payload.ParseError);
        Assert.Null(payload.SessionId);
        Assert.Null(payload.Cwd);
        Assert.Null(payload.Prompt);
        Assert.Null(payload.StopHookActive);
        Assert.Null(payload.ToolInputJson);
        Assert.Equal("Bash", payload.ToolName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    public void Input_that_is_not_an_object_gives_an_empty_payload_with_a_reason(string json)
    {
        var payload = HookPayload.Parse(json);
        Assert.NotNull(payload.ParseError);
        Assert.Null(payload.SessionId);
    }

    [Fact]
    public void Truncated_json_keeps_what_was_read()
    {
        var payload = HookPayload.Parse("""{"session_id":"s1","cwd":"/w","tool_input":{"command":"ls""");
        Assert.Equal("s1", payload.SessionId);
        Assert.Equal("/w", payload.Cwd);
        Assert.Null(payload.ToolInputJson);
        Assert.Contains("not valid JSON", payload.ParseError, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_fields_keep_the_last_value()
    {
        Assert.Equal("b", HookPayload.Parse("""{"session_id":"a","session_id":"b"}""").SessionId);
    }

    [Fact]
    public async Task Reads_from_a_stream_larger_than_the_first_buffer_with_a_bom()
    {
        var big = new string('x', 300_000);
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes($$"""{"tool_response":{"stdout":"{{big}}"},"session_id":"s"}""")).ToArray();
        using var stream = new MemoryStream(bytes);

        var payload = await HookPayload.ReadAsync(stream, TestContext.Current.CancellationToken);

        Assert.Equal("s", payload.SessionId);
        Assert.Equal(300_000 + 13, payload.ToolResponseJson!.Length);
    }
}

public sealed class UndecodableStringTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_payload_with_a_lone_surrogate_does_not_throw()
    {
        var payload = HookPayload.Parse("""{"session_id":"s1","prompt":"bad \ud800 text","cwd":"/w"}""");
        Assert.Equal("s1", payload.SessionId);
        Assert.NotNull(payload.ParseError);
    }

    [Fact]
    public async Task A_transcript_line_with_a_lone_surrogate_is_skipped()
    {
        var text = """{"type":"user","message":{"role":"user","content":"bad \ud800"}}""" + "\n" + """{"type":"user","message":{"role":"user","content":"good"}}""" + "\n";
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(text));

        var transcript = await TranscriptReader.ReadAsync(stream, TestContext.Current.CancellationToken);

        Assert.Equal("good", Assert.Single(transcript.UserPrompts).Text);
        Assert.Equal(1, transcript.SkippedLines);
    }

    [Fact]
    public void A_settings_file_with_a_lone_surrogate_round_trips()
    {
        var path = _temp.Combine("settings.json");
        const string content = "{\n  \"model\": \"\\ud800\"\n}";
        File.WriteAllText(path, content);

        var installer = new ClaudeCodeSettingsInstaller("engram");
        Assert.True(installer.Install(path).Changed);
        Assert.Equal(ClaudeCodeHookEvent.All.Count, ClaudeCodeSettingsInstaller.InstalledEvents(path).Count);
        ClaudeCodeSettingsInstaller.Uninstall(path);

        Assert.Equal(content, File.ReadAllText(path));
    }
}
