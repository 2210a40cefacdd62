using System.Text.Json;

namespace Engram.Eval.Tests;

public sealed class LocomoReportTests
{
    private static LocomoReport Sample()
    {
        LocomoQuestionResult Q(int conversation, int category, string[] evidence, string[] retrieved, double ms) =>
            new(conversation, $"s{conversation}", 0, category, evidence, retrieved, ms);
        var results = new[]
        {
            Q(0, 4, ["A"], ["A", "B"], 1),
            Q(0, 2, ["A", "B"], ["B", "C"], 2),
            Q(6, 1, ["C"], ["A", "B"], 3),
            Q(6, 4, ["C"], ["C"], 4),
        };
        var conversations = new[]
        {
            new LocomoConversationResult(0, "s0", 10, 10, 1, TimeSpan.FromSeconds(1), new LocomoScorer([1, 2]).Overall("s0")),
            new LocomoConversationResult(6, "s6", 5, 5, 0, TimeSpan.FromSeconds(2), new LocomoScorer([1, 2]).Overall("s6")),
        };
        return LocomoReport.Create("mini.json", [1, 2], results, conversations, LocomoSplit.Standard);
    }

    [Fact]
    public void Summary_json_has_exactly_the_documented_shape()
    {
        using var doc = JsonDocument.Parse(Sample().ToJson());
        var root = doc.RootElement;

        Assert.Equal(["questions", "overall", "categories", "latency_ms"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(4, root.GetProperty("questions").GetInt32());
        var overall = root.GetProperty("overall");
        Assert.Equal(["frac@1", "any@1", "all@1", "frac@2", "any@2", "all@2"], overall.EnumerateObject().Select(p => p.Name));
        Assert.Equal(0.625, overall.GetProperty("frac@1").GetDouble());
        Assert.Equal(0.625, overall.GetProperty("frac@2").GetDouble());
        Assert.Equal(0.75, overall.GetProperty("any@2").GetDouble());
        Assert.Equal(0.5, overall.GetProperty("all@2").GetDouble());
        Assert.Equal(["single-hop", "multi-hop", "temporal"], root.GetProperty("categories").EnumerateObject().Select(p => p.Name));
        Assert.Equal(1.0, root.GetProperty("categories").GetProperty("single-hop").GetProperty("frac@1").GetDouble());
        var latency = root.GetProperty("latency_ms");
        Assert.Equal(["p50", "p95"], latency.EnumerateObject().Select(p => p.Name));
        Assert.Equal(2.5, latency.GetProperty("p50").GetDouble());
        Assert.Equal(3.85, latency.GetProperty("p95").GetDouble(), 6);
    }

    [Fact]
    public void Splits_cover_only_the_conversations_that_ran()
    {
        var report = Sample();
        Assert.Equal(["tune", "held-out"], report.Splits.Select(s => s.Name));
        Assert.Equal([0], report.Splits[0].Conversations);
        Assert.Equal([6], report.Splits[1].Conversations);
        Assert.Equal(0.75, report.Splits[0].Overall.Frac(1));
        Assert.Equal(0.5, report.Splits[1].Overall.Frac(1));
        Assert.Equal(1, report.Skipped);

        using var doc = JsonDocument.Parse(report.ToDetailedJson());
        var splits = doc.RootElement.GetProperty("splits");
        Assert.Equal("held-out", splits[1].GetProperty("name").GetString());
        Assert.Equal(2, splits[1].GetProperty("questions").GetInt32());
        Assert.Equal("s6", doc.RootElement.GetProperty("conversations")[1].GetProperty("sample_id").GetString());
    }

    [Fact]
    public void The_table_shows_categories_overall_splits_and_latency()
    {
        var table = Sample().ToTable();
        Assert.Contains("4 questions (1 skipped", table, StringComparison.Ordinal);
        var lines = table.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("category", StringComparison.Ordinal) && l.Contains("frac@2", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("single-hop", StringComparison.Ordinal) && l.Contains("1.000", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("overall", StringComparison.Ordinal) && l.Contains("0.625", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("held-out", StringComparison.Ordinal));
        Assert.Contains("p50 2.50", table, StringComparison.Ordinal);
    }

    [Fact]
    public void Percentiles_interpolate_between_samples()
    {
        Assert.Equal(0, Percentiles.Of([], 0.5));
        Assert.Equal(7, Percentiles.Of([7], 0.95));
        Assert.Equal(5.5, Percentiles.Of([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5));
        Assert.Equal(9.55, Percentiles.Of([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95), 9);
    }
}
