using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Engram.Eval;

/// <summary>
/// The result of a LoCoMo run: evidence recall overall, per category and per split, search latency, and
/// what every question retrieved.
/// </summary>
public sealed class LocomoReport
{
    private LocomoReport(
        string source,
        IReadOnlyList<int> ks,
        int skipped,
        LocomoMetrics overall,
        IReadOnlyDictionary<string, LocomoMetrics> categories,
        LocomoLatency latency,
        IReadOnlyList<LocomoSplitResult> splits,
        IReadOnlyList<LocomoConversationResult> conversations,
        IReadOnlyList<LocomoQuestionResult> results)
    {
        Source = source;
        Ks = ks;
        Skipped = skipped;
        Overall = overall;
        Categories = categories;
        LatencyMs = latency;
        Splits = splits;
        Conversations = conversations;
        Results = results;
    }

    /// <summary>The data the run read (a file path).</summary>
    public string Source { get; }

    public IReadOnlyList<int> Ks { get; }

    /// <summary>Questions scored.</summary>
    public int Questions => Overall.Questions;

    /// <summary>Questions left out because they have no usable evidence.</summary>
    public int Skipped { get; }

    public LocomoMetrics Overall { get; }

    /// <summary>Per category by name ("single-hop", ...), in report order; categories without questions are absent.</summary>
    public IReadOnlyDictionary<string, LocomoMetrics> Categories { get; }

    public LocomoLatency LatencyMs { get; }

    public IReadOnlyList<LocomoSplitResult> Splits { get; }

    public IReadOnlyList<LocomoConversationResult> Conversations { get; }

    /// <summary>Every scored question with what was retrieved for it, in run order.</summary>
    public IReadOnlyList<LocomoQuestionResult> Results { get; }

    /// <summary>
    /// Scores question results. Splits are computed over the conversations of each split present in
    /// <paramref name="results"/>; a split with none is left out.
    /// </summary>
    public static LocomoReport Create(
        string source,
        IReadOnlyList<int> ks,
        IReadOnlyList<LocomoQuestionResult> results,
        IReadOnlyList<LocomoConversationResult> conversations,
        IReadOnlyList<LocomoSplit> splits)
    {
        var scorer = Score(ks, results);
        var ran = results.Select(r => r.ConversationIndex).Concat(conversations.Select(c => c.Index)).ToHashSet();
        var splitResults = new List<LocomoSplitResult>();
        foreach (var split in splits)
        {
            var members = ConversationSelection.Parse(split.Conversations).Where(ran.Contains).ToList();
            if (members.Count == 0) continue;
            var memberSet = members.ToHashSet();
            var splitScorer = Score(ks, results.Where(r => memberSet.Contains(r.ConversationIndex)));
            splitResults.Add(new LocomoSplitResult(split.Name, members, splitScorer.Overall(split.Name), splitScorer.Categories()));
        }
        return new LocomoReport(
            source,
            scorer.Ks,
            conversations.Sum(c => c.Skipped),
            scorer.Overall(),
            scorer.Categories(),
            LocomoLatency.From(results.Select(r => r.LatencyMs)),
            splitResults,
            conversations,
            results);
    }

    /// <summary>
    /// The summary document:
    /// <c>{"questions": N, "overall": {"frac@5": ..., "any@5": ..., "all@5": ..., ...}, "categories": {"single-hop": {...}, ...}, "latency_ms": {"p50": ..., "p95": ...}}</c>.
    /// </summary>
    public string ToJson(bool indented = false) => Write(indented, detailed: false);

    /// <summary>
    /// <see cref="ToJson"/> plus "skipped", "ks", "splits" (name, conversations, questions, overall,
    /// categories) and "conversations" (sample id, turns, memories, questions, skipped, load seconds, overall).
    /// </summary>
    public string ToDetailedJson(bool indented = true) => Write(indented, detailed: true);

    /// <summary>A plain-text table: one row per category and overall, then the splits and latency.</summary>
    public string ToTable()
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.Append(inv, $"LoCoMo evidence recall: {Questions} questions");
        if (Skipped > 0) text.Append(inv, $" ({Skipped} skipped: no usable evidence)");
        text.AppendLine();
        text.AppendLine();

        var metricNames = Ks.SelectMany(k => new[] { LocomoMetrics.Key("frac", k), LocomoMetrics.Key("any", k), LocomoMetrics.Key("all", k) }).ToList();
        var width = Math.Max(7, metricNames.Max(n => n.Length) + 1);
        var labelWidth = Math.Max(12, Categories.Keys.Concat(Splits.Select(s => s.Name)).Append("overall").Max(n => n.Length) + 1);

        void Header(string label)
        {
            text.Append(label.PadRight(labelWidth)).Append("n".PadLeft(6));
            foreach (var name in metricNames) text.Append(name.PadLeft(width));
            text.AppendLine();
        }
        void Row(LocomoMetrics m)
        {
            text.Append(m.Name.PadRight(labelWidth)).Append(m.Questions.ToString(inv).PadLeft(6));
            foreach (var name in metricNames) text.Append(m.Values[name].ToString("0.000", inv).PadLeft(width));
            text.AppendLine();
        }

        Header("category");
        foreach (var metrics in Categories.Values) Row(metrics);
        Row(Overall);
        if (Splits.Count > 0)
        {
            text.AppendLine();
            Header("split");
            foreach (var split in Splits) Row(split.Overall);
            foreach (var split in Splits)
            {
                text.Append(inv, $"  {split.Name}: conversations {string.Join(',', split.Conversations)}").AppendLine();
            }
        }
        text.AppendLine();
        text.Append(inv, $"search latency (ms): p50 {LatencyMs.P50:0.00}  p95 {LatencyMs.P95:0.00}  mean {LatencyMs.Mean:0.00}  max {LatencyMs.Max:0.00}  ({LatencyMs.Count} searches)");
        text.AppendLine();
        return text.ToString();
    }

    private static LocomoScorer Score(IReadOnlyList<int> ks, IEnumerable<LocomoQuestionResult> results)
    {
        var scorer = new LocomoScorer(ks);
        foreach (var r in results) scorer.Add(r.Category, r.Evidence, r.Retrieved);
        return scorer;
    }

    private string Write(bool indented, bool detailed)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            json.WriteStartObject();
            json.WriteNumber("questions", Questions);
            if (detailed)
            {
                json.WriteNumber("skipped", Skipped);
                json.WriteStartArray("ks");
                foreach (var k in Ks) json.WriteNumberValue(k);
                json.WriteEndArray();
            }
            WriteMetrics(json, "overall", Overall);
            WriteCategories(json, Categories);
            json.WriteStartObject("latency_ms");
            json.WriteNumber("p50", Math.Round(LatencyMs.P50, 3));
            json.WriteNumber("p95", Math.Round(LatencyMs.P95, 3));
            json.WriteEndObject();
            if (detailed)
            {
                json.WriteStartArray("splits");
                foreach (var split in Splits)
                {
                    json.WriteStartObject();
                    json.WriteString("name", split.Name);
                    json.WriteStartArray("conversations");
                    foreach (var c in split.Conversations) json.WriteNumberValue(c);
                    json.WriteEndArray();
                    json.WriteNumber("questions", split.Overall.Questions);
                    WriteMetrics(json, "overall", split.Overall);
                    WriteCategories(json, split.Categories);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                json.WriteStartArray("conversations");
                foreach (var c in Conversations)
                {
                    json.WriteStartObject();
                    json.WriteNumber("index", c.Index);
                    json.WriteString("sample_id", c.SampleId);
                    json.WriteNumber("turns", c.Turns);
                    json.WriteNumber("memories", c.Memories);
                    json.WriteNumber("questions", c.Metrics.Questions);
                    json.WriteNumber("skipped", c.Skipped);
                    json.WriteNumber("load_seconds", Math.Round(c.LoadTime.TotalSeconds, 3));
                    WriteMetrics(json, "overall", c.Metrics);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteCategories(Utf8JsonWriter json, IReadOnlyDictionary<string, LocomoMetrics> categories)
    {
        json.WriteStartObject("categories");
        foreach (var (name, metrics) in categories) WriteMetrics(json, name, metrics);
        json.WriteEndObject();
    }

    private static void WriteMetrics(Utf8JsonWriter json, string name, LocomoMetrics metrics)
    {
        json.WriteStartObject(name);
        foreach (var k in metrics.Ks)
        {
            json.WriteNumber(LocomoMetrics.Key("frac", k), Math.Round(metrics.Frac(k), 4));
            json.WriteNumber(LocomoMetrics.Key("any", k), Math.Round(metrics.Any(k), 4));
            json.WriteNumber(LocomoMetrics.Key("all", k), Math.Round(metrics.All(k), 4));
        }
        json.WriteEndObject();
    }
}
