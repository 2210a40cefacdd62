using Engram.Agents.Adapters;
using Engram.Agents.Pipeline;

namespace Engram.Agents.ClaudeCode;

/// <summary>
/// Claude Code: hooks in <c>settings.json</c>, payloads with <c>tool_input</c>/<c>tool_response</c> (a failed
/// tool call arrives as PostToolUseFailure with an <c>error</c>), context back through SessionStart's
/// <c>hookSpecificOutput.additionalContext</c>. Its tool names are Engram's neutral vocabulary as they are.
/// </summary>
public sealed class ClaudeCodeAdapter : IAgentAdapter, ITranscriptAdapter
{
    public string Name => ClaudeCodeSettingsInstaller.Agent;

    public string DisplayName => "Claude Code";

    public IReadOnlyDictionary<string, AgentEventKind> Events { get; } =
        ClaudeCodeHookEvent.All.ToDictionary(e => e.CommandName, e => e.Kind, StringComparer.Ordinal);

    public IAgentInstaller Installer { get; } = new ClaudeCodeInstaller();

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
            Tool = kind == AgentEventKind.ToolCall ? ToolEvent.From(hook.ToolName, hook.ToolInputJson, hook.ToolResponseJson, hook.Error) : null,
            ToolUseId = hook.ToolUseId,
            // A subagent's last message is its report to the main agent, not the session's answer.
            AssistantMessage = kind == AgentEventKind.SubagentStop ? null : hook.LastAssistantMessage,
            Source = hook.Source ?? hook.Trigger,
            ParseError = hook.ParseError,
        };
    }

    public async Task<TranscriptGist> ReadTranscriptAsync(string path, CancellationToken cancellationToken)
    {
        var transcript = await TranscriptReader.ReadAsync(path, cancellationToken);
        return new TranscriptGist(transcript.UserPrompts.Select(p => p.Text).ToList(), transcript.LastAssistantMessage?.Text);
    }
}
