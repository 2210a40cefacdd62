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
        var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
        if (dailyTokenBudget > 0)
        {
            var spent = await ledger.TokensOnAsync(today, cancellationToken);
            if (spent >= dailyTokenBudget)
            {
                throw new EngramException($"today's LLM token budget is spent ({spent:N0} of Llm:DailyTokenBudget {dailyTokenBudget:N0}); Engram works offline until tomorrow (UTC)");
            }
        }
        var response = await base.GetResponseAsync(messages, options, cancellationToken);
        var purpose = options?.AdditionalProperties?.TryGetValue(PurposeKey, out var p) == true ? p?.ToString() ?? "other" : "other";
        var model = response.ModelId ?? options?.ModelId ?? (GetService(typeof(ChatClientMetadata)) as ChatClientMetadata)?.DefaultModelId ?? "unknown";
        await ledger.RecordAsync(new UsageRow(today, purpose, provider, model, 1,
            response.Usage?.InputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0), cancellationToken);
        return response;
    }
}
