namespace Engram.Eval;

/// <summary>
/// The one percentile definition for every latency Engram reports (LoCoMo runs and the bench): linear
/// interpolation between the two nearest ascending samples (NumPy's default), so p50 of an even count is the
/// mean of the middle two and figures from different tools compare.
/// </summary>
public static class Percentiles
{
    /// <summary>The p-quantile (0 to 1) of ascending samples; 0 for none.</summary>
    public static double Of(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0) return 0;
        var position = Math.Clamp(p, 0, 1) * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }
}
