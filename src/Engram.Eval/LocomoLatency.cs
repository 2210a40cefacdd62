namespace Engram.Eval;

/// <summary>Search latency in milliseconds; percentiles interpolate linearly between the sorted samples.</summary>
public sealed record LocomoLatency(int Count, double P50, double P95, double Mean, double Max)
{
    public static LocomoLatency Empty { get; } = new(0, 0, 0, 0, 0);

    public static LocomoLatency From(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToArray();
        if (sorted.Length == 0) return Empty;
        return new LocomoLatency(sorted.Length, Percentile(sorted, 0.50), Percentile(sorted, 0.95), sorted.Average(), sorted[^1]);
    }

    /// <summary>The p-quantile (0 to 1) of ascending samples.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) return 0;
        var position = Math.Clamp(p, 0, 1) * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }
}
