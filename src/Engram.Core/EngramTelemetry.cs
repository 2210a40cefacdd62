using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace Engram.Core;

/// <summary>
/// Engram's one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named "Engram": an app that
/// listens (OpenTelemetry: <c>AddSource("Engram")</c>, <c>AddMeter("Engram")</c>) sees each add and search as
/// a span and counts what was stored, found and embedded. Without a listener they cost next to nothing.
/// </summary>
public static class EngramTelemetry
{
    public const string Name = "Engram";

    private static readonly string Version =
        typeof(EngramTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static ActivitySource Source { get; } = new(Name, Version);

    public static Meter Meter { get; } = new(Name, Version);

    /// <summary>Memories an add stored or matched, tagged with the outcome (added, duplicate, updated, ...) and kind.</summary>
    public static Counter<long> Memories { get; } = Meter.CreateCounter<long>("engram.memories", "{memory}", "Memories an add stored or matched, by outcome and kind");

    /// <summary>How long a search took, from the request to the ranked hits.</summary>
    public static Histogram<double> SearchDuration { get; } = Meter.CreateHistogram<double>("engram.search.duration", "ms", "Search time, query embedding included");

    /// <summary>Hits a search returned.</summary>
    public static Histogram<int> SearchHits { get; } = Meter.CreateHistogram<int>("engram.search.hits", "{hit}", "Hits returned per search");

    /// <summary>Memories that got a vector.</summary>
    public static Counter<long> Embedded { get; } = Meter.CreateCounter<long>("engram.embeddings", "{memory}", "Memories embedded");

    /// <summary>Memories whose embedding failed (they stay searchable by words).</summary>
    public static Counter<long> EmbeddingFailures { get; } = Meter.CreateCounter<long>("engram.embeddings.failed", "{memory}", "Memories whose embedding failed");
}
