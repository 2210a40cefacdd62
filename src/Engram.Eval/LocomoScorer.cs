using Engram.Core;

namespace Engram.Eval;

/// <summary>
/// Scores ranked dialog ids against evidence, overall and per category. A ranking may repeat ids (two
/// memories from one turn) or hold several ids per memory; k counts distinct ids, first occurrence kept.
/// </summary>
public sealed class LocomoScorer
{
    /// <summary>The k values reported when none are given.</summary>
    public static IReadOnlyList<int> DefaultKs { get; } = [5, 10, 25, 50];

    private readonly Accumulator _overall;
    private readonly SortedDictionary<int, Accumulator> _categories = [];

    public LocomoScorer(IReadOnlyList<int>? ks = null)
    {
        Ks = ValidateKs(ks ?? DefaultKs);
        _overall = new Accumulator(Ks.Count);
    }

    /// <summary>The k values, ascending and distinct.</summary>
    public IReadOnlyList<int> Ks { get; }

    public int Questions => _overall.Count;

    /// <summary>
    /// Adds one question. <paramref name="evidence"/> must be normalised, distinct and non-empty (questions
    /// without usable evidence are skipped before scoring); <paramref name="ranked"/> is best first.
    /// </summary>
    public void Add(int category, IReadOnlyList<string> evidence, IEnumerable<string> ranked)
    {
        if (evidence.Count == 0) throw new ArgumentException("a question without evidence cannot be scored; skip it", nameof(evidence));
        var top = TopDistinct(ranked, Ks[^1]);
        var position = new Dictionary<string, int>(top.Count, StringComparer.Ordinal);
        for (var i = 0; i < top.Count; i++) position[top[i]] = i;
        var evidenceRanks = evidence.Distinct(StringComparer.Ordinal)
            .Select(e => position.TryGetValue(e, out var p) ? p : int.MaxValue)
            .ToList();

        var hits = new int[Ks.Count];
        for (var i = 0; i < Ks.Count; i++) hits[i] = evidenceRanks.Count(r => r < Ks[i]);
        _overall.Add(hits, evidenceRanks.Count);
        if (!_categories.TryGetValue(category, out var acc))
        {
            acc = new Accumulator(Ks.Count);
            _categories[category] = acc;
        }
        acc.Add(hits, evidenceRanks.Count);
    }

    public LocomoMetrics Overall(string name = "overall") => _overall.ToMetrics(name, Ks);

    /// <summary>Metrics of every category that has questions, keyed by name, known categories first in report order.</summary>
    public IReadOnlyDictionary<string, LocomoMetrics> Categories()
    {
        var result = new Dictionary<string, LocomoMetrics>(StringComparer.Ordinal);
        foreach (var category in LocomoCategories.ReportOrder.Concat(_categories.Keys.Except(LocomoCategories.ReportOrder)))
        {
            if (_categories.TryGetValue(category, out var acc))
            {
                var name = LocomoCategories.Name(category);
                result[name] = acc.ToMetrics(name, Ks);
            }
        }
        return result;
    }

    /// <summary>The first <paramref name="k"/> distinct ids of a ranking.</summary>
    public static IReadOnlyList<string> TopDistinct(IEnumerable<string> ranked, int k)
    {
        var top = new List<string>(Math.Min(k, 64));
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in ranked)
        {
            if (top.Count >= k) break;
            if (seen.Add(id)) top.Add(id);
        }
        return top;
    }

    /// <summary>Checks k values (1 to 1000) and returns them ascending and distinct.</summary>
    public static IReadOnlyList<int> ValidateKs(IEnumerable<int> ks)
    {
        var list = ks.Distinct().Order().ToList();
        if (list.Count == 0) throw new EngramException("no k values given; use for example --k 5,10,25,50");
        if (list[0] < 1 || list[^1] > 1000)
        {
            throw new EngramException($"k values must be whole numbers from 1 to 1000; got {string.Join(',', list)}");
        }
        return list;
    }

    /// <summary>Parses "5,10,25,50" (spaces allowed).</summary>
    public static IReadOnlyList<int> ParseKs(string text)
    {
        var ks = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var k))
            {
                throw new EngramException($"k list '{text}' is invalid: '{part}' is not a whole number; use for example 5,10,25,50");
            }
            ks.Add(k);
        }
        return ValidateKs(ks);
    }

    private sealed class Accumulator(int size)
    {
        private readonly double[] _frac = new double[size];
        private readonly double[] _any = new double[size];
        private readonly double[] _all = new double[size];

        public int Count { get; private set; }

        public void Add(int[] hits, int evidence)
        {
            Count++;
            for (var i = 0; i < hits.Length; i++)
            {
                _frac[i] += (double)hits[i] / evidence;
                if (hits[i] > 0) _any[i]++;
                if (hits[i] == evidence) _all[i]++;
            }
        }

        public LocomoMetrics ToMetrics(string name, IReadOnlyList<int> ks)
        {
            double Mean(double sum) => Count == 0 ? 0 : sum / Count;
            return new LocomoMetrics(name, ks, Count,
                _frac.Select(Mean).ToArray(), _any.Select(Mean).ToArray(), _all.Select(Mean).ToArray());
        }
    }
}
