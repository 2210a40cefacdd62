using System.Text.Json;
using Engram.Agents.Adapters;
using Engram.Agents.Pipeline;

namespace Engram.Agents.Codex;

/// <summary>
/// Codex CLI (<c>@openai/codex</c>): hooks in <c>hooks.json</c> of Claude Code's shape, payloads with
/// <c>tool_input</c>/<c>tool_response</c>, context back through SessionStart's <c>hookSpecificOutput.additionalContext</c>.
/// </summary>
/// <remarks>
/// Codex sends a failed command as a plain PostToolUse whose response is only the output text: the exit code is
/// in the session's rollout transcript, found by the call's id (<see cref="CodexTranscript"/>). Shell commands
/// (<c>Bash</c>) that only print a file (<c>cat FILE</c>) become neutral reads, and <c>apply_patch</c> becomes an
/// edit of the patch's first file.
/// </remarks>
public sealed class CodexAdapter : IAgentAdapter
{
    public string Name => CodexHookEvent.Agent;

    public string DisplayName => "Codex CLI";

    public IReadOnlyDictionary<string, AgentEventKind> Events { get; } =
        CodexHookEvent.All.ToDictionary(e => e.CommandName, e => e.Kind, StringComparer.Ordinal);

    public IAgentInstaller Installer { get; } = new CodexInstaller();

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
            Prompt = hook.Prompt,
            Tool = kind == AgentEventKind.ToolCall ? Tool(hook) : null,
            ToolUseId = hook.ToolUseId,
            AssistantMessage = kind == AgentEventKind.SubagentStop ? null : hook.LastAssistantMessage,
            Source = hook.Source ?? hook.Trigger,
            ParseError = hook.ParseError,
        };
    }

    private static ToolEvent Tool(HookPayload hook)
    {
        var input = ToolEvent.From(hook.ToolName, hook.ToolInputJson, hook.ToolResponseJson);
        var command = input.InputString("command") ?? "";
        switch (hook.ToolName)
        {
            case "Bash":
                if (ShellRead.FileOf(command) is { } file) return Neutral("Read", ("file_path", Absolute(file, hook.Cwd)));
                var output = input.ResponseText();
                var exitCode = hook.TranscriptPath is { Length: > 0 } path && hook.ToolUseId is { Length: > 0 } id ? CodexTranscript.ExitCode(path, id) : null;
                var error = exitCode is > 0 ? $"Exit code {exitCode}\n{output}".TrimEnd() : null;
                return ToolEvent.From("Bash", JsonSerializer.Serialize(new Dictionary<string, string> { ["command"] = command }, PipelineJson.Default.DictionaryStringString),
                    JsonSerializer.Serialize(new Dictionary<string, string> { ["stdout"] = output }, PipelineJson.Default.DictionaryStringString), error);
            case "apply_patch" when ApplyPatch.Read(command) is { } patch:
                return Neutral("Edit", ("file_path", Absolute(patch.File, hook.Cwd)), ("old_string", patch.Removed), ("new_string", patch.Added));
            default:
                return input;
        }
    }

    private static ToolEvent Neutral(string tool, params (string Name, string Value)[] input) =>
        ToolEvent.From(tool, JsonSerializer.Serialize(input.ToDictionary(p => p.Name, p => p.Value), PipelineJson.Default.DictionaryStringString), null);

    private static string Absolute(string file, string? cwd) =>
        Path.IsPathRooted(file) || string.IsNullOrEmpty(cwd) ? file : Path.GetFullPath(Path.Combine(cwd, file));
}
