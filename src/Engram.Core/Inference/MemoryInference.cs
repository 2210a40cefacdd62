using System.Text;
using Engram.Core.Model;
using Microsoft.Extensions.AI;

namespace Engram.Core.Inference;

/// <summary>
/// The two model calls behind <c>add --infer</c>: extract atomic facts from the input, then reconcile them with
/// the most similar existing memories (ADD, UPDATE, DELETE or NOOP per fact). Answers are parsed strictly; an
/// answer outside the schema is sent back once with the reason, and a second failure is an
/// <see cref="InferenceFailedException"/>, after which the caller keeps the input verbatim.
/// </summary>
public sealed class MemoryInference(IChatClient chat)
{
    private static ChatOptions JsonOptions(string purpose) => new()
    {
        ResponseFormat = ChatResponseFormat.Json,
        Temperature = 0,
        AdditionalProperties = new AdditionalPropertiesDictionary { [Chat.UsageTrackingChatClient.PurposeKey] = purpose },
    };

    /// <summary>Tokens the provider reported for the calls made so far (input, output).</summary>
    public (long Input, long Output) Usage { get; private set; }

    public Task<IReadOnlyList<string>> ExtractFactsAsync(string conversation, CancellationToken cancellationToken) =>
        AskAsync("infer:extract", Prompts.ExtractFacts, "Conversation:\n" + conversation, InferenceAnswers.ParseFacts, cancellationToken);

    public Task<IReadOnlyList<ReconcileAction>> ReconcileAsync(IReadOnlyList<string> facts, IReadOnlyList<Memory> existing, CancellationToken cancellationToken)
    {
        var input = new StringBuilder("Existing memories:\n");
        if (existing.Count == 0) input.Append("(none)\n");
        for (var i = 0; i < existing.Count; i++) input.Append(i).Append(". ").Append(OneLine(existing[i].Content)).Append('\n');
        input.Append("\nNew facts:\n");
        foreach (var fact in facts) input.Append("- ").Append(OneLine(fact)).Append('\n');
        return AskAsync("infer:reconcile", Prompts.Reconcile, input.ToString(), answer => InferenceAnswers.ParseActions(answer, facts.Count, existing.Count), cancellationToken);
    }

    private async Task<T> AskAsync<T>(string purpose, string system, string user, Func<string, T> parse, CancellationToken cancellationToken)
    {
        List<ChatMessage> messages = [new(ChatRole.System, system), new(ChatRole.User, user)];
        for (var attempt = 1; ; attempt++)
        {
            ChatResponse response;
            try
            {
                response = await chat.GetResponseAsync(messages, JsonOptions(purpose), cancellationToken);
            }
            catch (Exception ex) when (ex is EngramException or HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                throw new InferenceFailedException($"the LLM provider failed: {ex.Message}", ex);
            }
            Usage = (Usage.Input + (response.Usage?.InputTokenCount ?? 0), Usage.Output + (response.Usage?.OutputTokenCount ?? 0));
            try
            {
                return parse(response.Text);
            }
            catch (FormatException ex) when (attempt == 1)
            {
                messages.Add(new ChatMessage(ChatRole.Assistant, response.Text));
                messages.Add(new ChatMessage(ChatRole.User, $"That answer was rejected: {ex.Message}. Answer again with only the JSON object in the required shape."));
            }
            catch (FormatException ex)
            {
                throw new InferenceFailedException($"the model's answer was unusable twice: {ex.Message}", ex);
            }
        }
    }

    private static string OneLine(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}

/// <summary>Inference could not produce a usable answer; the input is kept verbatim and marked for re-inference.</summary>
public sealed class InferenceFailedException(string message, Exception? inner = null) : EngramException(message, inner ?? new InvalidOperationException(message));
