using System.Globalization;
using Engram.Core.Model;

namespace Engram.Core.Search;

/// <summary>
/// Fuses ranked candidate lists (full text, vectors) with reciprocal rank fusion, then scales each
/// fused score by recency and importance. Scores are normalised so a memory ranked first by every
/// signal, fresh and of default importance, scores 1.
/// </summary>
public sealed class HybridRanker(SearchOptions options, TimeProvider time)
{
    /// <summary>
    /// One signal's candidates, best first, with the raw score shown in explanations and, optionally, a
    /// note per memory id on how that score came about (the text boosts).
    /// </summary>
    public sealed record Signal(string Name, string ScoreLabel, IReadOnlyList<(Memory Memory, double Raw)> Ranked)
    {
        public IReadOnlyDictionary<string, string>? Notes { get; init; }

        /// <summary>How much this signal's reciprocal ranks count (Search:VectorWeight for vectors; 1 for text).</summary>
        public double Weight { get; init; } = 1;

        /// <summary>The weight for conversation messages, when it differs (Search:MessageVectorWeight for vectors).</summary>
        public double? MessageWeight { get; init; }

        public double WeightFor(Memory memory) => memory.Kind == MemoryKind.Message && MessageWeight is { } w ? w : Weight;
    }

    public IReadOnlyList<SearchHit> Fuse(IReadOnlyList<Signal> signals, int limit)
    {
        var active = signals.Where(s => s.Ranked.Count > 0).ToList();
        if (active.Count == 0 || limit <= 0) return [];

        var fused = new Dictionary<string, Candidate>(StringComparer.Ordinal);
        foreach (var signal in active)
        {
            var rank = 0;
            for (var position = 0; position < signal.Ranked.Count; position++)
            {
                var (memory, raw) = signal.Ranked[position];
                // Equal scores share a rank, so recency and importance, not list order, settle a tie.
                if (position > 0 && raw != signal.Ranked[position - 1].Raw) rank = position;
                if (!fused.TryGetValue(memory.Id, out var c))
                {
                    c = new Candidate(memory, fused.Count);
                    fused[memory.Id] = c;
                }
                var weight = signal.WeightFor(memory);
                c.Rrf += weight / (options.RrfK + rank + 1);
                var note = signal.Notes?.GetValueOrDefault(memory.Id) is { } n ? $" ({n})" : "";
                var weighted = weight == 1 ? "" : string.Create(CultureInfo.InvariantCulture, $" weight {weight:0.##}");
                c.Parts.Add(string.Create(CultureInfo.InvariantCulture, $"{signal.Name} #{rank + 1} {signal.ScoreLabel}={Score(raw)}{note}{weighted}"));
            }
        }

        var best = active.Sum(s => Math.Max(s.Weight, s.MessageWeight ?? 0)) / (options.RrfK + 1);
        var now = time.GetUtcNow();
        var hits = new List<(SearchHit Hit, int Order)>(fused.Count);
        foreach (var c in fused.Values)
        {
            var recency = RecencyFactor(c.Memory, now);
            var importance = ImportanceFactor(c.Memory);
            var use = UseFactor(c.Memory, now);
            var score = c.Rrf / best * recency * importance * use;
            var explanation = string.Join("; ", c.Parts)
                + string.Create(CultureInfo.InvariantCulture, $"; recency x{recency:0.###}; importance x{importance:0.###}")
                + (use == 1 ? "" : string.Create(CultureInfo.InvariantCulture, $"; idle x{use:0.###}"));
            hits.Add((new SearchHit(c.Memory, score, explanation), c.Order));
        }
        hits.Sort((a, b) =>
        {
            var byScore = b.Hit.Score.CompareTo(a.Hit.Score);
            // A full tie keeps the order the signals found them in (the text ranking first): ids made in the
            // same millisecond carry random bits, so ordering by id would change from run to run.
            return byScore != 0 ? byScore : a.Order.CompareTo(b.Order);
        });
        return hits.Take(limit).Select(h => h.Hit).ToList();
    }

    /// <summary>A raw score for an explanation: three decimals, or three figures when it is smaller than that
    /// (BM25 in a store of a handful of memories gives 0.000002).</summary>
    public static string Score(double value) =>
        value.ToString(value == 0 || Math.Abs(value) >= 0.001 ? "0.###" : "0.##E+0", CultureInfo.InvariantCulture);

    /// <summary>(1 - w) + w * 2^(-age / half-life), with age from the memory's valid time.</summary>
    public double RecencyFactor(Memory memory, DateTimeOffset now)
    {
        if (options.RecencyWeight <= 0) return 1;
        var ageDays = Math.Max(0, (now - memory.ValidFrom).TotalDays);
        var decay = Math.Pow(0.5, ageDays / options.RecencyHalfLifeDays);
        return (1 - options.RecencyWeight) + options.RecencyWeight * decay;
    }

    /// <summary>
    /// Below 1 for an observation nobody has used (never a search hit or a fetch), of at most the default
    /// importance, older than <see cref="SearchOptions.IdleAfterDays"/>; 1 for everything else.
    /// </summary>
    public double UseFactor(Memory memory, DateTimeOffset now) =>
        memory.Kind == MemoryKind.Observation && memory.AccessCount == 0 && memory.Importance <= 0.5
        && (now - memory.ValidFrom).TotalDays > options.IdleAfterDays
            ? options.IdleFactor
            : 1;

    /// <summary>1 + w * (importance - 0.5): neutral at the default importance.</summary>
    public double ImportanceFactor(Memory memory) =>
        1 + options.ImportanceWeight * (Math.Clamp(memory.Importance, 0, 1) - 0.5);

    private sealed class Candidate(Memory memory, int order)
    {
        public Memory Memory { get; } = memory;
        /// <summary>When the candidate was first met, across the signals in order.</summary>
        public int Order { get; } = order;
        public double Rrf { get; set; }
        public List<string> Parts { get; } = new(2);
    }
}
