using System.Text;
using System.Text.Json;
using Engram.Core;
using Microsoft.Extensions.AI;

namespace Engram.Agents.Pipeline;

/// <summary>
/// The model path of <see cref="IObservationCompressor"/>: one call per batch of a session's tool events, each
/// event sent as a compact digest (tool, key input, the start of its output), answered with typed observations.
/// Files read and modified come from the events themselves, not the model. If the call fails or the answer
/// is unusable, the batch goes through the offline compressor instead, so captured work is never lost.
/// </summary>
public sealed class LlmObservationCompressor(IChatClient chat, string? model = null, int outputCharacters = 1500) : IObservationCompressor
{
    private static readonly string Prompt = ModelCalls.Prompt("observations.v1.txt");
    private static readonly string[] Types = ["bugfix", "feature", "refactor", "change", "discovery", "decision", "failure"];

    /// <summary>Characters sent to the model so far (to estimate the prompt's size per observation).</summary>
    public long PromptCharacters { get; private set; }

    /// <summary>The last failure that sent a batch to the offline path.</summary>
    public string? LastFallbackReason { get; private set; }

    public async Task<IReadOnlyList<ObservationDraft?>> CompressAsync(IReadOnlyList<ToolEvent> events, string? projectRoot, CancellationToken cancellationToken)
    {
        if (events.Count == 0) return [];
        var input = new StringBuilder();
        for (var i = 0; i < events.Count; i++) input.Append(Digest(i, events[i], projectRoot)).Append('\n');
        PromptCharacters += Prompt.Length + input.Length;
        try
        {
            var response = await chat.GetResponseAsync([new(ChatRole.System, Prompt), new(ChatRole.User, input.ToString())],
                ModelCalls.JsonOptions("compress", model), cancellationToken);
            return Parse(response.Text, events, projectRoot);
        }
        catch (Exception ex) when (ex is EngramException or FormatException or JsonException or HttpRequestException
            || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LastFallbackReason = ex.Message;
            return await OfflineObservationCompressor.Instance.CompressAsync(events, projectRoot, cancellationToken);
        }
    }

    private static List<ObservationDraft?> Parse(string answer, IReadOnlyList<ToolEvent> events, string? root)
    {
        using var document = ModelCalls.ParseAnswer(answer);
        if (!document.RootElement.TryGetProperty("observations", out var list) || list.ValueKind != JsonValueKind.Array || list.GetArrayLength() != events.Count)
        {
            throw new FormatException($"expected \"observations\" with {events.Count} entries");
        }
        var drafts = new List<ObservationDraft?>(events.Count);
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var tool = events[i++];
            if (item.ValueKind == JsonValueKind.Null)
            {
                drafts.Add(null);
                continue;
            }
            var type = ModelCalls.Text(item, "type");
            var title = ModelCalls.Text(item, "title");
            var narrative = ModelCalls.Text(item, "narrative");
            if (type is null || !Types.Contains(type) || title is null || narrative is null) throw new FormatException("every observation needs a known type, a title and a narrative");
            var offline = OfflineCompressor.Compress(tool, root);
            drafts.Add(new ObservationDraft
            {
                Type = type,
                Title = OfflineCompressor.Cut(title, 160),
                Narrative = OfflineCompressor.Cut(narrative, 800),
                Facts = ModelCalls.List(item, "facts", 3, 200),
                Concepts = ModelCalls.List(item, "concepts", 4, 200),
                FilesRead = OfflineCompressor.FileRead(tool, root) is { } read ? [read] : [],
                FilesModified = OfflineCompressor.FileModified(tool, root) is { } modified ? [modified] : [],
                // Outcome and command stay deterministic: failure tracking must not depend on the model's wording.
                Metadata = offline?.Metadata ?? new Dictionary<string, string>(),
                Importance = type is "bugfix" or "decision" or "failure" ? 0.6 : 0.5,
            });
        }
        return drafts;
    }

    private string Digest(int index, ToolEvent tool, string? root)
    {
        var text = new StringBuilder().Append('[').Append(index).Append("] ").Append(tool.ToolName);
        var input = tool.Input.ValueKind == JsonValueKind.Object ? tool.Input.GetRawText() : "";
        text.Append(" input: ").Append(OfflineCompressor.Cut(input.Replace(root ?? "\0", ".", StringComparison.Ordinal), 1200));
        var output = tool.ResponseText();
        if (output.Length > 0) text.Append("\n    output: ").Append(OfflineCompressor.Cut(output, outputCharacters));
        return text.ToString();
    }

}
