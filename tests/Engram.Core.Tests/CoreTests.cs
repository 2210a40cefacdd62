using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Search;
using Engram.Core.Text;
using Engram.Testing;

namespace Engram.Core.Tests;

public sealed class MemoryIdTests
{
    [Fact]
    public void Ids_are_26_crockford_characters_that_sort_by_time_and_stay_increasing_within_a_millisecond()
    {
        var clock = new ManualTimeProvider();
        var ids = new MemoryId(clock);
        var sameMillisecond = Enumerable.Range(0, 1000).Select(_ => ids.Next()).ToList();
        Assert.Equal(sameMillisecond.Order(StringComparer.Ordinal), sameMillisecond);
        Assert.Equal(1000, sameMillisecond.Distinct().Count());
        Assert.All(sameMillisecond, id => Assert.True(MemoryId.IsValid(id), id));
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(string.CompareOrdinal(ids.Next(), sameMillisecond[^1]) > 0);
        // The time prefix encodes the clock: 2026-03-01T09:00:00Z.
        var prefix = sameMillisecond[0][..10];
        Assert.Equal(prefix, new MemoryId(new ManualTimeProvider()).Next()[..10]);
    }

    [Theory]
    [InlineData("01M7Y79X6024XSW49RZK41A4J0", true)]
    [InlineData("01m7y79x6024xsw49rzk41a4j0", true)]
    [InlineData("01M7Y79X6024XSW49RZK41A4J", false)]
    [InlineData("01M7Y79X6024XSW49RZK41A4JU", false)]
    [InlineData("81M7Y79X6024XSW49RZK41A4J0", false)]
    [InlineData("", false)]
    public void Validity(string id, bool valid) => Assert.Equal(valid, MemoryId.IsValid(id));

    [Theory]
    [InlineData(" 01m7y79x6024xsw49rzk41a4j0 ", "01M7Y79X6024XSW49RZK41A4J0")]
    [InlineData("obs-42-from-claude-mem", "obs-42-from-claude-mem")]
    [InlineData(" MixedCase ", "MixedCase")]
    public void Normalize_upper_cases_ulids_only(string id, string expected) => Assert.Equal(expected, MemoryId.Normalize(id));
}

public sealed class ContentHashTests
{
    [Fact]
    public void Hash_ignores_case_and_white_space_but_not_words_or_kind()
    {
        var a = ContentHash.Compute(MemoryKind.Fact, "Alice likes  tea.\n");
        Assert.Equal(a, ContentHash.Compute(MemoryKind.Fact, "  alice LIKES tea."));
        Assert.NotEqual(a, ContentHash.Compute(MemoryKind.Fact, "Alice likes coffee."));
        Assert.NotEqual(a, ContentHash.Compute(MemoryKind.Prompt, "Alice likes tea."));
        Assert.Equal(32, a.Length);
    }
}

public sealed class QueryTermsTests
{
    [Theory]
    [InlineData("which port does the staging db listen on?", "port staging db listen")]
    [InlineData("\"NEAR(foo* -bar) AND baz:qux\"", "near foo bar baz qux")]
    [InlineData("Who is he?", "who is he")]
    [InlineData("Café résumé 2026", "café résumé 2026")]
    [InlineData("  ", "")]
    [InlineData("port port PORT", "port")]
    public void Terms_are_content_words_without_syntax(string query, string expected) =>
        Assert.Equal(expected, string.Join(' ', QueryTerms.Extract(query)));

    [Fact]
    public void A_query_of_thousands_of_words_searches_with_its_first_content_terms_only()
    {
        var words = Enumerable.Range(0, 5000).Select(i => $"w{i}").ToList();
        var terms = QueryTerms.Extract("the " + string.Join(" the ", words));
        Assert.Equal(words.Take(QueryTerms.MaxTerms), terms);
    }
}

public sealed class HybridRankerTests
{
    private static Memory M(string id, DateTimeOffset validFrom, double importance = 0.5) => new()
    {
        Id = id, Kind = MemoryKind.Fact, Content = id, CreatedAt = validFrom, UpdatedAt = validFrom, ValidFrom = validFrom,
        ContentHash = id, Importance = importance,
    };

    [Fact]
    public void Reciprocal_rank_fusion_rewards_agreement_between_signals()
    {
        var clock = new ManualTimeProvider();
        var now = clock.GetUtcNow();
        var ranker = new HybridRanker(new SearchOptions { RecencyWeight = 0, ImportanceWeight = 0, RrfK = 60 }, clock);
        var a = M("a", now); var b = M("b", now); var c = M("c", now);
        var hits = ranker.Fuse(
        [
            new HybridRanker.Signal("text", "bm25", [(a, 3.0), (b, 2.0), (c, 1.0)]) { Notes = new Dictionary<string, string> { ["b"] = "1, x2 for a reason" } },
            new HybridRanker.Signal("vector", "cos", [(b, 0.9), (c, 0.8)]),
        ], 10);
        Assert.Equal(["b", "c", "a"], hits.Select(h => h.Memory.Id));
        // b: 1/62 + 1/61 over the best possible 2/61.
        Assert.Equal((1.0 / 62 + 1.0 / 61) / (2.0 / 61), hits[0].Score, 9);
        Assert.Equal("text #2 bm25=2 (1, x2 for a reason); vector #1 cos=0.9; recency x1; importance x1", hits[0].Explanation);
        Assert.Equal("text #3 bm25=1; vector #2 cos=0.8; recency x1; importance x1", hits[1].Explanation);
        Assert.Equal("2E-6", HybridRanker.Score(0.000002));
        Assert.Equal("-1.23E-4", HybridRanker.Score(-0.0001234));
        Assert.Equal("0", HybridRanker.Score(0));
        Assert.Equal("12.346", HybridRanker.Score(12.3456));
    }

    [Fact]
    public void Recency_and_importance_scale_scores_within_their_weights()
    {
        var clock = new ManualTimeProvider();
        var now = clock.GetUtcNow();
        var ranker = new HybridRanker(new SearchOptions { RecencyWeight = 0.5, RecencyHalfLifeDays = 10, ImportanceWeight = 0.2 }, clock);
        Assert.Equal(1.0, ranker.RecencyFactor(M("new", now), now), 9);
        Assert.Equal(0.75, ranker.RecencyFactor(M("ten days", now.AddDays(-10)), now), 9);
        Assert.Equal(0.5, ranker.RecencyFactor(M("ancient", now.AddYears(-50)), now), 6);
        Assert.Equal(1.1, ranker.ImportanceFactor(M("vital", now, 1.0)), 9);
        Assert.Equal(0.9, ranker.ImportanceFactor(M("trivia", now, 0.0)), 9);
    }

    [Fact]
    public void The_vector_signal_counts_by_its_weight_and_less_for_messages()
    {
        var clock = new ManualTimeProvider();
        var now = clock.GetUtcNow();
        var ranker = new HybridRanker(new SearchOptions { RecencyWeight = 0, ImportanceWeight = 0, RrfK = 5 }, clock);
        var fact = M("fact", now);
        var message = M("message", now) with { Kind = MemoryKind.Message };
        var top = M("top", now);
        var hits = ranker.Fuse(
        [
            new HybridRanker.Signal("text", "bm25", [(top, 3.0), (fact, 2.0), (message, 1.0)]),
            new HybridRanker.Signal("vector", "cos", [(message, 0.9), (fact, 0.8)]) { Weight = 0.5, MessageWeight = 0.1 },
        ], 10);
        // fact: 1/7 + 0.5/7 beats top's 1/6; message: 1/8 + 0.1/6 does not.
        Assert.Equal(["fact", "top", "message"], hits.Select(h => h.Memory.Id));
        Assert.Equal((1.0 / 7 + 0.5 / 7) / (1.5 / 6), hits[0].Score, 9);
        Assert.Contains("vector #2 cos=0.8 weight 0.5", hits[0].Explanation, StringComparison.Ordinal);
        Assert.Contains("vector #1 cos=0.9 weight 0.1", hits[2].Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void No_signals_or_empty_signals_give_no_hits()
    {
        var ranker = new HybridRanker(new SearchOptions(), new ManualTimeProvider());
        Assert.Empty(ranker.Fuse([], 5));
        Assert.Empty(ranker.Fuse([new HybridRanker.Signal("text", "bm25", [])], 5));
    }
}

public sealed class MemoryKindsTests
{
    [Fact]
    public void Every_kind_round_trips_through_its_wire_name()
    {
        foreach (var kind in MemoryKinds.All) Assert.Equal(kind, MemoryKinds.Parse(kind.ToWire().ToUpperInvariant()));
        var error = Assert.Throws<EngramException>(() => MemoryKinds.Parse("poem"));
        Assert.Contains("observation, summary, fact, prompt, message, block", error.Message, StringComparison.Ordinal);
    }
}
