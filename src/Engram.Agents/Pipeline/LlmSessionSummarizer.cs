using System.Text;
using System.Text.Json;
using Engram.Core;
using Engram.Core.Chat;
using Microsoft.Extensions.AI;

namespace Engram.Agents.Pipeline;

/// <summary>
/// Rewrites an offline session summary with the model: the draft sections, the prompts and the agent's last
/// message go in; a better request, learned, completed, decisions and next steps come out. Files and unresolved
/// failures stay as recorded. Any failure keeps the offline summary.
/// </summary>
public sealed class LlmSessionSummarizer(IChatClient chat, string? model = null)
{
    private static readonly string Prompt = LoadPrompt();

    public string? LastFallbackReason { get; private set; }

    public async Task<SessionSummary> ImproveAsync(SessionSummary draft, string? lastAssistantMessage, CancellationToken cancellationToken)
    {
        var input = new StringBuilder("Draft summary:\n").Append(draft.Content).Append("\n\nLast message of the agent:\n")
            .Append(Cut(lastAssistantMessage ?? "(none)", 4000));
        try
        {
            var options = new ChatOptions
            {
                ResponseFormat = ChatResponseFormat.Json,
                Temperature = 0,
                ModelId = model,
                AdditionalProperties = new AdditionalPropertiesDictionary { [UsageTrackingChatClient.PurposeKey] = "summarize" },
            };
            var response = await chat.GetResponseAsync([new(ChatRole.System, Prompt), new(ChatRole.User, input.ToString())], options, cancellationToken);
            using var document = JsonDocument.Parse(response.Text.Trim().Trim('`'));
            var root = document.RootElement;
            var request = Text(root, "request") ?? throw new FormatException("the summary has no request");
            var improved = draft with
            {
                Title = Cut(Text(root, "title") ?? draft.Title, 120),
                Request = [request],
                Learned = List(root, "learned"),
                Completed = List(root, "completed"),
                Decisions = List(root, "decisions"),
                NextSteps = List(root, "next_steps"),
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

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Trim().Length > 0 ? v.GetString()!.Trim() : null;

    private static List<string> List(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => Cut(e.GetString()!.Trim(), 300)).Where(s => s.Length > 0).Take(6).ToList()
            : [];

    private static string Cut(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";

    private static string LoadPrompt()
    {
        var assembly = typeof(LlmSessionSummarizer).Assembly;
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith(".summary.v1.txt", StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        return reader.ReadToEnd().Trim();
    }
}
