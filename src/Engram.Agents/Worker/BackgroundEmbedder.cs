using Engram.Agents.Capture;
using Engram.Core.Services;

namespace Engram.Agents.Worker;

/// <summary>
/// The worker's second job: give memories their vectors after they are stored, a batch at a time, so no
/// capture hook and no <c>engram add</c> waits for the model. A failure (a model that cannot load) is
/// logged once per distinct message, not on every tick.
/// </summary>
internal sealed class BackgroundEmbedder(IMemoryService memory, HookLog log, string source)
{
    private string? _lastError;

    /// <summary>Embeds one batch; returns how many memories got a vector (0: nothing waited, or it failed).</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (memory is not MemoryService { HasEmbeddings: true } service) return 0;
        var (embedded, error) = await service.EmbedPendingAsync(MemoryService.EmbeddingBatch, cancellationToken);
        if (error is not null && error != _lastError) log.Error(source, $"embedding: {error}; search stays lexical until this is fixed (engram doctor)");
        _lastError = error;
        return embedded;
    }
}
