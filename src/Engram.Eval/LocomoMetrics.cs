using System.Globalization;

namespace Engram.Eval;

/// <summary>
/// Evidence recall of a set of questions, averaged over the questions, for each k:
/// <c>frac@k</c> (share of evidence ids in the top k: the LoCoMo paper's R@k), <c>any@k</c> (at least one
/// found) and <c>all@k</c> (every one found).
/// </summary>
public sealed class LocomoMetrics
{
    private readonly double[] _frac;
    private readonly double[] _any;
    private readonly double[] _all;

    internal LocomoMetrics(string name, IReadOnlyList<int> ks, int questions, double[] frac, double[] any, double[] all)
    {
        Name = name;
        Ks = ks;
        Questions = questions;
        _frac = frac;
        _any = any;
        _all = all;
        var values = new Dictionary<string, double>(ks.Count * 3, StringComparer.Ordinal);
        for (var i = 0; i < ks.Count; i++)
        {
            values[Key("frac", ks[i])] = frac[i];
            values[Key("any", ks[i])] = any[i];
            values[Key("all", ks[i])] = all[i];
        }
        Values = values;
    }

    /// <summary>"overall", a category name, a split name or a sample id.</summary>
    public string Name { get; }

    public IReadOnlyList<int> Ks { get; }

    /// <summary>Questions scored (those with usable evidence).</summary>
    public int Questions { get; }

    /// <summary>Every metric by name ("frac@10", "any@10", "all@10", ...), in k order, frac, any, all for each k.</summary>
    public IReadOnlyDictionary<string, double> Values { get; }

    public double Frac(int k) => _frac[IndexOf(k)];

    public double Any(int k) => _any[IndexOf(k)];

    public double All(int k) => _all[IndexOf(k)];

    internal static string Key(string metric, int k) => string.Create(CultureInfo.InvariantCulture, $"{metric}@{k}");

    private int IndexOf(int k)
    {
        for (var i = 0; i < Ks.Count; i++)
        {
            if (Ks[i] == k) return i;
        }
        throw new ArgumentOutOfRangeException(nameof(k), k, $"k={k} was not measured; measured: {string.Join(',', Ks)}");
    }
}
