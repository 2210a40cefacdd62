using System.Text.Json;
using System.Text.RegularExpressions;
using Engram.Agents.Adapters;
using Engram.Agents.Pipeline;

namespace Engram.Agents.Gemini;

/// <summary>
/// Gemini CLI (<c>@google/gemini-cli</c>): hooks in <c>settings.json</c> (timeouts in milliseconds), the prompt in
/// BeforeAgent, tool calls in AfterTool with <c>tool_response</c> <c>{llmContent, returnDisplay, error}</c>, the answer in
/// AfterAgent's <c>prompt_response</c>, context back through SessionStart's <c>hookSpecificOutput.additionalContext</c>.
/// </summary>
/// <remarks>
/// A failed shell command is a plain AfterTool whose <c>llmContent</c> says <c>Exit Code: N</c>. Gemini's tools map to
/// the neutral vocabulary: <c>run_shell_command</c> to Bash, <c>read_file</c> to Read, <c>replace</c> to Edit,
/// <c>write_file</c> to Write.
/// </remarks>
public sealed partial class GeminiAdapter : IAgentAdapter
{
    public string Name => GeminiHookEvent.Agent;

    public string DisplayName => "Gemini CLI";

    public IReadOnlyDictionary<string, AgentEventKind> Events { get; } =
        GeminiHookEvent.All.ToDictionary(e => e.CommandName, e => e.Kind, StringComparer.Ordinal);

    public IAgentInstaller Installer { get; } = new GeminiInstaller();

    public AgentEvent Parse(string eventName, ReadOnlySpan<byte> payload)
    {
        var hook = HookPayload.Parse(payload);
        var kind = Events.TryGetValue(eventName, out var k) ? k : AgentEventKind.Ignored;
        return new AgentEvent
        {
            Kind = kind,
            SessionId = hook.SessionId,
            Cwd = hook.Cwd,
            TranscriptPath = hook.TranscriptPath,
            Prompt = kind == AgentEventKind.Prompt ? hook.Prompt : null,
            Tool = kind == AgentEventKind.ToolCall ? Tool(hook) : null,
            ToolUseId = null, // Gemini sends none; the event id keeps reprocessing idempotent
            AssistantMessage = kind == AgentEventKind.AssistantAnswer ? hook.PromptResponse : null,
            Source = hook.Source ?? hook.Trigger,
            ParseError = hook.ParseError,
        };
    }

    private static ToolEvent Tool(HookPayload hook)
    {
        var raw = ToolEvent.From(hook.ToolName, hook.ToolInputJson, hook.ToolResponseJson);
        var file = raw.InputString("file_path") ?? raw.InputString("absolute_path");
        switch (hook.ToolName)
        {
            case "run_shell_command":
                var content = Unwrap(raw.ResponseString("llmContent") ?? raw.ResponseText());
                var exit = ExitCode().Match(content) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : (int?)null;
                var output = OutputSection().Match(content) is { Success: true } o ? o.Groups[1].Value.TrimEnd() : content;
                var error = raw.ResponseString("error") ?? (exit is > 0 ? $"Exit code {exit}\n{output}" : null);
                return Neutral("Bash", [("command", raw.InputString("command") ?? "")], [("stdout", output)], error);
            case "read_file" when file is not null:
                return Neutral("Read", [("file_path", Absolute(file, hook.Cwd))], [], raw.ResponseString("error"));
            case "replace" when file is not null:
                return Neutral("Edit", [("file_path", Absolute(file, hook.Cwd)), ("old_string", raw.InputString("old_string") ?? ""), ("new_string", raw.InputString("new_string") ?? "")], [], raw.ResponseString("error"));
            case "write_file" when file is not null:
                return Neutral("Write", [("file_path", Absolute(file, hook.Cwd)), ("content", raw.InputString("content") ?? "")], [], raw.ResponseString("error"));
            default:
                return ToolEvent.From(hook.ToolName, hook.ToolInputJson, hook.ToolResponseJson, raw.ResponseString("error"));
        }
    }

    /// <summary>The text inside Gemini's <c>&lt;untrusted_context&gt;</c> wrapper, or the text as it is.</summary>
    private static string Unwrap(string text)
    {
        const string open = "<untrusted_context>", close = "</untrusted_context>";
        var start = text.IndexOf(open, StringComparison.Ordinal);
        var end = text.LastIndexOf(close, StringComparison.Ordinal);
        return start >= 0 && end > start ? text[(start + open.Length)..end].Trim('\n') : text;
    }

    private static ToolEvent Neutral(string tool, (string, string)[] input, (string, string)[] response, string? error) =>
        ToolEvent.From(tool, Json(input), response.Length == 0 ? null : Json(response), error);

    private static string Json((string Name, string Value)[] members) =>
        JsonSerializer.Serialize(members.ToDictionary(p => p.Name, p => p.Value), PipelineJson.Default.DictionaryStringString);

    private static string Absolute(string file, string? cwd) =>
        Path.IsPathRooted(file) || string.IsNullOrEmpty(cwd) ? file : Path.GetFullPath(Path.Combine(cwd, file));

    [GeneratedRegex(@"^Exit Code: (-?\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex ExitCode();

    [GeneratedRegex(@"^Output: (.*?)(?=^(?:Error|Exit Code|Signal|Background PIDs|Process Group PGID): |\z)", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex OutputSection();
}
