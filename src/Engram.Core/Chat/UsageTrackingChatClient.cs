using System.Runtime.CompilerServices;
using Engram.Core.Storage;
using Microsoft.Extensions.AI;

namespace Engram.Core.Chat;

/// <summary>
/// Counts every call's provider-reported tokens in the ledger, by purpose (set with <see cref="PurposeKey"/> in
/// the options' additional properties), and refuses calls once the day's budget is spent, so the caller falls
/// back to its offline path instead of burning the user's quota.
/// </summary>
public sealed class UsageTrackingChatClient(IChatClient inner, IUsageLedger ledger, string provider, long dailyTokenBudget, TimeProvider? time = null)
    : DelegatingChatClient(inner)
{
    public const string PurposeKey = "engram.purpose";
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var today = await EnsureBudgetAsync(cancellationToken);
        var response = await base.GetResponseAsync(messages, options, cancellationToken);
        await RecordAsync(today, options, response.ModelId, response.Usage, cancellationToken);
        return response;
    }

    /// <summary>Streams count too: the budget is checked before the first update, the usage the provider reports is recorded after the last.</summary>
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var today = await EnsureBudgetAsync(cancellationToken);
        var usage = new UsageDetails();
        string? modelId = null;
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            modelId ??= update.ModelId;
            foreach (var content in update.Contents)
            {
                if (content is UsageContent reported) usage.Add(reported.Details);
            }
            yield return update;
        }
        await RecordAsync(today, options, modelId, usage, cancellationToken);
    }

    private async Task<DateOnly> EnsureBudgetAsync(CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        if (dailyTokenBudget <= 0) return today;
        var spent = await ledger.TokensOnAsync(today, cancellationToken);
        if (spent >= dailyTokenBudget)
        {
            throw new EngramException($"today's LLM token budget is spent ({spent:N0} of Llm:DailyTokenBudget {dailyTokenBudget:N0}); Engram works offline until tomorrow (UTC)");
        }
        return today;
    }

    private Task RecordAsync(DateOnly today, ChatOptions? options, string? modelId, UsageDetails? usage, CancellationToken cancellationToken)
    {
        var purpose = options?.AdditionalProperties?.TryGetValue(PurposeKey, out var p) == true ? p?.ToString() ?? "other" : "other";
        var model = modelId ?? options?.ModelId ?? (GetService(typeof(ChatClientMetadata)) as ChatClientMetadata)?.DefaultModelId ?? "unknown";
        return ledger.RecordAsync(new UsageRow(today, purpose, provider, model, 1, usage?.InputTokenCount ?? 0, usage?.OutputTokenCount ?? 0), cancellationToken);
    }
}
