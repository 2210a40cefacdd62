namespace Engram.Core.Storage;

/// <summary>One day's model usage for one purpose, provider and model.</summary>
public sealed record UsageRow(DateOnly Day, string Purpose, string Provider, string Model, long Calls, long InputTokens, long OutputTokens);

/// <summary>Where model calls are counted: for <c>engram stats</c> and the daily token budget.</summary>
public interface IUsageLedger
{
    Task RecordAsync(UsageRow usage, CancellationToken cancellationToken = default);

    /// <summary>Input plus output tokens spent on the day, all purposes.</summary>
    Task<long> TokensOnAsync(DateOnly day, CancellationToken cancellationToken = default);

    /// <summary>Usage from the given day on, newest first.</summary>
    Task<IReadOnlyList<UsageRow>> UsageSinceAsync(DateOnly day, CancellationToken cancellationToken = default);
}
