using Engram.Core;

namespace Engram.Eval.Tests;

public sealed class LocomoScorerTests
{
    [Fact]
    public void Frac_any_and_all_follow_their_definitions()
    {
        var scorer = new LocomoScorer([1, 2, 3]);
        // Two evidence ids at ranks 2 and 3.
        scorer.Add(LocomoCategories.MultiHop, ["D1:2", "D1:3"], ["D9:9", "D1:2", "D1:3"]);
        var m = scorer.Overall();
        Assert.Equal(1, m.Questions);
        Assert.Equal(0.0, m.Frac(1));
        Assert.Equal(0.5, m.Frac(2));
        Assert.Equal(1.0, m.Frac(3));
        Assert.Equal([0.0, 1.0, 1.0], new[] { m.Any(1), m.Any(2), m.Any(3) });
        Assert.Equal([0.0, 0.0, 1.0], new[] { m.All(1), m.All(2), m.All(3) });
        Assert.Equal(0.5, m.Values["frac@2"]);
    }

    [Fact]
    public void Metrics_are_means_over_questions()
    {
        var scorer = new LocomoScorer([1]);
        scorer.Add(LocomoCategories.SingleHop, ["A"], ["A"]);
        scorer.Add(LocomoCategories.SingleHop, ["B"], ["A", "B"]);
        scorer.Add(LocomoCategories.SingleHop, ["A", "B", "C", "D"], ["A"]);
        var m = scorer.Overall();
        Assert.Equal(3, m.Questions);
        Assert.Equal((1 + 0 + 0.25) / 3, m.Frac(1), 12);
        Assert.Equal(2.0 / 3, m.Any(1), 12);
        Assert.Equal(1.0 / 3, m.All(1), 12);
    }

    [Fact]
    public void K_counts_distinct_ids_so_repeats_do_not_use_up_the_budget()
    {
        var scorer = new LocomoScorer([2]);
        // One memory made of two turns, then the same turn again from another memory, then the evidence.
        scorer.Add(LocomoCategories.Temporal, ["D3:1"], ["D1:1", "D1:2", "D1:1", "D3:1"]);
        Assert.Equal(0.0, scorer.Overall().Frac(2));

        var second = new LocomoScorer([2]);
        second.Add(LocomoCategories.Temporal, ["D3:1"], ["D1:1", "D1:1", "D1:1", "D3:1"]);
        Assert.Equal(1.0, second.Overall().Frac(2));
    }

    [Fact]
    public void A_short_ranking_counts_what_it_has()
    {
        var scorer = new LocomoScorer([5, 50]);
        scorer.Add(LocomoCategories.OpenDomain, ["D1:1", "D1:2"], ["D1:2"]);
        scorer.Add(LocomoCategories.OpenDomain, ["D1:1"], []);
        var m = scorer.Overall();
        Assert.Equal(0.25, m.Frac(5));
        Assert.Equal(0.25, m.Frac(50));
        Assert.Equal(0.5, m.Any(50));
        Assert.Equal(0.0, m.All(50));
    }

    [Fact]
    public void Categories_are_named_and_ordered_like_the_reference()
    {
        var scorer = new LocomoScorer([1]);
        foreach (var category in new[] { 5, 3, 2, 1, 4, 7 }) scorer.Add(category, ["X"], ["X"]);
        var categories = scorer.Categories();
        Assert.Equal(["single-hop", "multi-hop", "temporal", "open-domain", "adversarial", "category-7"], categories.Keys);
        Assert.All(categories.Values, c => Assert.Equal(1, c.Questions));
        Assert.Equal(6, scorer.Overall().Questions);
    }

    [Fact]
    public void Per_category_metrics_only_see_their_questions()
    {
        var scorer = new LocomoScorer([1]);
        scorer.Add(LocomoCategories.SingleHop, ["A"], ["A"]);
        scorer.Add(LocomoCategories.Adversarial, ["A"], ["B"]);
        Assert.Equal(1.0, scorer.Categories()["single-hop"].Frac(1));
        Assert.Equal(0.0, scorer.Categories()["adversarial"].Frac(1));
        Assert.Equal(0.5, scorer.Overall().Frac(1));
        Assert.False(scorer.Categories().ContainsKey("temporal"));
    }

    [Fact]
    public void Default_ks_are_5_10_25_50_and_metric_names_follow_them()
    {
        var scorer = new LocomoScorer();
        scorer.Add(1, ["A"], ["A"]);
        Assert.Equal([5, 10, 25, 50], scorer.Ks);
        Assert.Equal(
            ["frac@5", "any@5", "all@5", "frac@10", "any@10", "all@10", "frac@25", "any@25", "all@25", "frac@50", "any@50", "all@50"],
            scorer.Overall().Values.Keys);
    }

    [Fact]
    public void Ks_are_sorted_deduplicated_and_validated()
    {
        Assert.Equal([5, 10], LocomoScorer.ParseKs(" 10, 5,10 "));
        Assert.Contains("'x'", Assert.Throws<EngramException>(() => LocomoScorer.ParseKs("5,x")).Message, StringComparison.Ordinal);
        Assert.Throws<EngramException>(() => LocomoScorer.ParseKs(""));
        Assert.Throws<EngramException>(() => new LocomoScorer([0]));
        Assert.Throws<EngramException>(() => new LocomoScorer([1001]));
    }

    [Fact]
    public void A_question_without_evidence_cannot_be_scored()
    {
        Assert.Throws<ArgumentException>(() => new LocomoScorer().Add(1, [], ["A"]));
    }

    [Fact]
    public void Top_distinct_keeps_first_occurrences()
    {
        Assert.Equal(["a", "b", "c"], LocomoScorer.TopDistinct(["a", "a", "b", "a", "c", "d"], 3));
    }
}
