using System.Text;
using System.Text.Json;
using Engram.Core;
using Microsoft.Extensions.AI;

namespace Engram.Agents.Pipeline;

/// <summary>
/// Rewrites an offline session summary with the model: the draft sections, the prompts and the agent's last
/// message go in; a better request, learned, completed, decisions and next steps come out. Files and unresolved
/// failures stay as recorded. Any failure keeps the offline summary.
/// </summary>
public sealed class LlmSessionSummarizer(IChatClient chat, string? model = null)
{
    private static readonly string Prompt = ModelCalls.Prompt("summary.v1.txt");

    public string? LastFallbackReason { get; private set; }

    public async Task<SessionSummary> ImproveAsync(SessionSummary draft, string? lastAssistantMessage, CancellationToken cancellationToken)
    {
        var input = new StringBuilder("Draft summary:\n").Append(draft.Content).Append("\n\nLast message of the agent:\n")
            .Append(OfflineCompressor.Cut(lastAssistantMessage ?? "(none)", 4000));
        try
        {
            var response = await chat.GetResponseAsync([new(ChatRole.System, Prompt), new(ChatRole.User, input.ToString())],
                ModelCalls.JsonOptions("summarize", model), cancellationToken);
            using var document = ModelCalls.ParseAnswer(response.Text);
            var root = document.RootElement;
            var request = ModelCalls.Text(root, "request") ?? throw new FormatException("the summary has no request");
            var improved = draft with
            {
                Title = OfflineCompressor.Cut(ModelCalls.Text(root, "title") ?? draft.Title, 120),
                Request = [request],
                Learned = ModelCalls.List(root, "learned", 6, 300),
                Completed = ModelCalls.List(root, "completed", 6, 300),
                Decisions = ModelCalls.List(root, "decisions", 6, 300),
                NextSteps = ModelCalls.List(root, "next_steps", 6, 300),
            };
            return improved with { Content = SessionSummaryBuilder.Render(improved) };
        }
        catch (Exception ex) when (ex is EngramException or FormatException or JsonException or InvalidOperationException or KeyNotFoundException or HttpRequestException
            || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LastFallbackReason = ex.Message;
            return draft;
        }
    }
}
