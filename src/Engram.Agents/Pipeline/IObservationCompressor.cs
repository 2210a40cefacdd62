namespace Engram.Agents.Pipeline;

/// <summary>
/// Distils captured tool calls into observations. Two paths stand behind it: <see cref="OfflineObservationCompressor"/>
/// (deterministic, no model; the default) and a model-backed one, which takes a batch of one session's events
/// per call so that one request distils several observations within a bounded prompt. A model-backed
/// compressor that fails must fall back to the offline one rather than leave events unprocessed.
/// </summary>
public interface IObservationCompressor
{
    /// <summary>One draft per event, in order; null where an event is not worth an observation (a read, a search).</summary>
    Task<IReadOnlyList<ObservationDraft?>> CompressAsync(IReadOnlyList<ToolEvent> events, string? projectRoot, CancellationToken cancellationToken);
}

/// <summary>The offline path: <see cref="OfflineCompressor"/> on each event.</summary>
public sealed class OfflineObservationCompressor : IObservationCompressor
{
    public static OfflineObservationCompressor Instance { get; } = new();

    public Task<IReadOnlyList<ObservationDraft?>> CompressAsync(IReadOnlyList<ToolEvent> events, string? projectRoot, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ObservationDraft?>>(events.Select(e => OfflineCompressor.Compress(e, projectRoot)).ToList());
}
