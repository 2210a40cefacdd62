namespace Engram.Eval;

/// <summary>Search latency in milliseconds; percentiles as <see cref="Percentiles"/> defines them.</summary>
public sealed record LocomoLatency(int Count, double P50, double P95, double Mean, double Max)
{
    public static LocomoLatency Empty { get; } = new(0, 0, 0, 0, 0);

    public static LocomoLatency From(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToArray();
        if (sorted.Length == 0) return Empty;
        return new LocomoLatency(sorted.Length, Percentiles.Of(sorted, 0.50), Percentiles.Of(sorted, 0.95), sorted.Average(), sorted[^1]);
    }
}
