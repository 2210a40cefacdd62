using Engram.Core.Model;

namespace Engram.Core.Services;

/// <summary>The public add and search, each a span of Engram's ActivitySource and counted on its Meter.</summary>
public sealed partial class MemoryService
{
    public async Task<AddResult> AddAsync(AddMemoryRequest request, CancellationToken cancellationToken = default)
    {
        using var activity = EngramTelemetry.Source.StartActivity("engram.add");
        activity?.SetTag("engram.tenant", request.Scope.Tenant);
        activity?.SetTag("engram.infer", request.Infer);
        var result = await AddCoreAsync(request, cancellationToken);
        foreach (var added in result.Results)
        {
            EngramTelemetry.Memories.Add(1,
                new KeyValuePair<string, object?>("engram.outcome", added.Outcome.ToString().ToLowerInvariant()),
                new KeyValuePair<string, object?>("engram.kind", added.Memory.Kind.ToWire()));
        }
        activity?.SetTag("engram.memories", result.Results.Count);
        return result;
    }

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(SearchRequest request, CancellationToken cancellationToken = default)
    {
        using var activity = EngramTelemetry.Source.StartActivity("engram.search");
        activity?.SetTag("engram.tenant", request.Filter.Tenant);
        var start = _time.GetTimestamp();
        var hits = await SearchCoreAsync(request, cancellationToken);
        EngramTelemetry.SearchDuration.Record(_time.GetElapsedTime(start).TotalMilliseconds);
        EngramTelemetry.SearchHits.Record(hits.Count);
        activity?.SetTag("engram.hits", hits.Count);
        return hits;
    }
}
