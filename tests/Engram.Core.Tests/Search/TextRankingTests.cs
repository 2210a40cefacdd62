using Engram.Core.Model;
using Engram.Core.Search;
using Engram.Core.Text;

namespace Engram.Core.Tests.Search;

public sealed class TextRankingTests
{
    [Theory]
    [InlineData("bought", "buy")]
    [InlineData("went", "go")]
    [InlineData("gone", "go")]
    [InlineData("children", "child")]
    [InlineData("swam", "swim")]
    public void Irregular_forms_map_to_their_base_form(string form, string lemma)
    {
        Assert.Equal(lemma, IrregularForms.BaseForm(form));
        Assert.Equal(lemma, IrregularForms.Normalize(form));
    }

    [Fact]
    public void Regular_words_are_left_alone()
    {
        Assert.Null(IrregularForms.BaseForm("walked"));
        Assert.Equal("walked", IrregularForms.Normalize("walked"));
        Assert.Equal(["buy", "child"], IrregularForms.BaseForms(["i", "bought", "toys", "for", "the", "children"]));
    }

    [Theory]
    [InlineData("notes taken on 5 June, 2024?", 2024, 6, 5, QueryDatePrecision.Day)]
    [InlineData("deploy log of November 21, 2026", 2026, 11, 21, QueryDatePrecision.Day)]
    [InlineData("plans for Aug 1st 2024", 2024, 8, 1, QueryDatePrecision.Day)]
    [InlineData("which bugs did we fix in March 2025", 2025, 3, 1, QueryDatePrecision.Month)]
    [InlineData("When did Melanie go camping in June?", 2000, 6, 1, QueryDatePrecision.MonthOfAnyYear)]
    [InlineData("releases during May", 2000, 5, 1, QueryDatePrecision.MonthOfAnyYear)]
    [InlineData("How many times did we deploy in 2023?", 2023, 1, 1, QueryDatePrecision.Year)]
    public void Query_dates_are_found(string query, int year, int month, int day, QueryDatePrecision precision)
    {
        Assert.Equal(new QueryDate(new DateOnly(year, month, day), precision), QueryDate.Find(query));
    }

    [Theory]
    [InlineData("When did the build break?")]
    [InlineData("what about may?")]
    [InlineData("it may rain in june 5 days from now")]
    [InlineData("port 2023 is open")]
    [InlineData("on 31 February, in the year of the dragon")]
    public void Queries_without_a_real_date_have_none(string query)
    {
        Assert.Null(QueryDate.Find(query));
    }

    [Fact]
    public void A_date_covers_its_day_with_slack_a_month_its_month_and_a_year_its_year()
    {
        var day = new QueryDate(new DateOnly(2023, 6, 3), QueryDatePrecision.Day);
        Assert.True(day.Covers(new DateTimeOffset(2023, 6, 3, 22, 0, 0, TimeSpan.Zero)));
        Assert.True(day.Covers(new DateTimeOffset(2023, 6, 4, 1, 0, 0, TimeSpan.Zero)));
        Assert.False(day.Covers(new DateTimeOffset(2023, 6, 5, 1, 0, 0, TimeSpan.Zero)));
        Assert.False(day.Covers(new DateTimeOffset(2023, 6, 4, 1, 0, 0, TimeSpan.Zero), slackDays: 0));
        var month = new QueryDate(new DateOnly(2023, 5, 1), QueryDatePrecision.Month);
        Assert.True(month.Covers(new DateTimeOffset(2023, 5, 31, 0, 0, 0, TimeSpan.Zero)));
        Assert.False(month.Covers(new DateTimeOffset(2023, 6, 1, 0, 0, 0, TimeSpan.Zero)));
        var june = QueryDate.Find("camping in June")!;
        Assert.True(june.Covers(new DateTimeOffset(2021, 6, 30, 0, 0, 0, TimeSpan.Zero)));
        Assert.False(june.Covers(new DateTimeOffset(2021, 7, 1, 0, 0, 0, TimeSpan.Zero)));
        var year = QueryDate.Find("in 2023")!;
        Assert.True(year.Covers(new DateTimeOffset(2023, 12, 31, 23, 0, 0, TimeSpan.Zero)));
        Assert.False(year.Covers(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void Neighbour_context_takes_the_window_on_both_sides_within_the_session()
    {
        // The nearest neighbours count twice.
        var contexts = NeighbourContext.Build(["a", "b", "c", "d"], window: 1);
        Assert.Equal(["b\nb", "a\na\nc\nc", "b\nb\nd\nd", "c\nc"], contexts);
        Assert.Equal([null], NeighbourContext.Build(["only"], window: 2));
        Assert.Equal(["b\nb\nc", "a\na\nc\nc\nd", "a\nb\nb\nd\nd", "b\nc\nc"], NeighbourContext.Build(["a", "b", "c", "d"]));
        Assert.Equal([3, 4], NeighbourContext.AffectedByAppend(5));
        Assert.Equal([0], NeighbourContext.AffectedByAppend(1));
        Assert.Empty(NeighbourContext.AffectedByAppend(0));
    }

    [Fact]
    public void Text_boosts_favour_the_named_speaker_the_named_date_time_words_for_when_and_numbers_for_how_many()
    {
        var at = new DateTimeOffset(2024, 9, 14, 12, 0, 0, TimeSpan.Zero);
        Memory M(string id, string speaker, string content, DateTimeOffset validFrom) => new()
        {
            Id = id, Kind = MemoryKind.Message, Content = content, CreatedAt = at, UpdatedAt = at, ValidFrom = validFrom, ContentHash = id,
            Metadata = new Dictionary<string, string> { ["speaker"] = speaker },
        };
        var ana = M("ana", "Ana Lee", "I painted a lake", at.AddDays(-30));
        var ben = M("ben", "Ben", "I painted a lake last week", at);

        var bySpeaker = TextBoosts.Apply("What did Ana paint?", [(ben, 1.0), (ana, 0.9)], new SearchOptions { SpeakerBoost = 0.25, DateBoost = 0, WhenBoost = 0, CoverageBoost = 0 });
        Assert.Equal(["ana", "ben"], bySpeaker.Select(c => c.Memory.Id));
        Assert.Equal(1.125, bySpeaker[0].Score, 9);

        var byDate = TextBoosts.Apply("What was painted on 14 September 2024?", [(ana, 1.0), (ben, 0.6)], new SearchOptions { SpeakerBoost = 0, WhenBoost = 0, CoverageBoost = 0 });
        Assert.Equal(["ben", "ana"], byDate.Select(c => c.Memory.Id));

        var byWhen = TextBoosts.Apply("When was the lake painted?", [(ana, 1.0), (ben, 0.9)], new SearchOptions { SpeakerBoost = 0, DateBoost = 0, CoverageBoost = 0 });
        Assert.Equal(["ben", "ana"], byWhen.Select(c => c.Memory.Id));

        var twice = M("twice", "Ben", "I painted it twice", at);
        var options = new SearchOptions { SpeakerBoost = 0, DateBoost = 0, WhenBoost = 0, CoverageBoost = 0 };
        var byNumber = TextBoosts.Apply("How many times did Ben paint it?", [(ben, 1.0), (twice, 0.9)], options);
        Assert.Equal(["twice", "ben"], byNumber.Select(c => c.Memory.Id));
        Assert.Equal("0.9, x1.5 for a number", byNumber[0].Note);
        Assert.Equal(["ben", "twice"], TextBoosts.Apply("What did Ben paint?", [(ben, 1.0), (twice, 0.9)], options).Select(c => c.Memory.Id));

        var none = TextBoosts.Apply("lake", [(ana, 1.0), (ben, 1.0)], new SearchOptions());
        Assert.Equal(["ana", "ben"], none.Select(c => c.Memory.Id));
    }

    [Fact]
    public void Term_coverage_counts_the_query_terms_a_memory_itself_says_with_plurals_and_irregular_forms_folded()
    {
        var at = new DateTimeOffset(2024, 9, 14, 12, 0, 0, TimeSpan.Zero);
        Memory M(string content, string? title = null, IReadOnlyList<string>? facts = null) => new()
        {
            Id = content, Kind = MemoryKind.Message, Title = title, Content = content, Facts = facts ?? [], CreatedAt = at, UpdatedAt = at, ValidFrom = at, ContentHash = content,
        };
        var coverage = TermCoverage.For("Which stories did the kids buy at the fair?")!;

        Assert.Equal(1.0, coverage.Share(M("The kids bought two story books at the FAIR.")), 9);
        Assert.Equal(0.5, coverage.Share(M("A kid's story")), 9);
        Assert.Equal(0.25, coverage.Share(M("Nothing here but a fairy", title: "Fair")), 9);
        Assert.Equal(0.5, coverage.Share(M("unrelated", facts: ["Stories were bought"])), 9);
        Assert.Equal(0.0, coverage.Share(M("glasses, buses and a storyteller")), 9);
        Assert.Equal(1.0, coverage.Share(M("Kids buying stories at fairs")), 9);
        Assert.Equal(1.0, TermCoverage.For("adopt loving dogs running")!.Share(M("She adopted a dog; they loved to run")), 9);
        Assert.Equal("story", TermCoverage.Fold("stories"));
        Assert.Equal("try", TermCoverage.Fold("tried"));
        Assert.Equal("glass", TermCoverage.Fold("glass"));
        Assert.Equal("bed", TermCoverage.Fold("bed"));
        var huge = new string('s', 20_000_000);
        Assert.Equal(huge, TermCoverage.Fold(huge));
        Assert.Equal(0.5, TermCoverage.For(huge + " kids")!.Share(M("the kid")), 9);
        // One term leaves nothing to prefer.
        Assert.Null(TermCoverage.For("the stories"));
    }

    [Fact]
    public void Coverage_boost_lifts_the_memory_that_says_everything_the_query_asks_above_one_rare_word_match()
    {
        var at = new DateTimeOffset(2024, 9, 14, 12, 0, 0, TimeSpan.Zero);
        Memory M(string id, string content) => new()
        {
            Id = id, Kind = MemoryKind.Message, Content = content, CreatedAt = at, UpdatedAt = at, ValidFrom = at, ContentHash = id,
        };
        var rare = M("rare", "The pottery kiln cracked again");
        var whole = M("whole", "Our pottery class made a bowl");
        var query = "What did the pottery class make?";
        var off = new SearchOptions { SpeakerBoost = 0, DateBoost = 0, WhenBoost = 0, CoverageBoost = 0 };

        Assert.Equal(["rare", "whole"], TextBoosts.Apply(query, [(rare, 1.0), (whole, 0.8)], off).Select(c => c.Memory.Id));
        var on = TextBoosts.Apply(query, [(rare, 1.0), (whole, 0.8)], off with { CoverageBoost = 0.75 });
        Assert.Equal(["whole", "rare"], on.Select(c => c.Memory.Id));
        Assert.Equal(0.8 * 1.75, on[0].Score, 9);
        Assert.Equal(1.0 * (1 + 0.75 / 3), on[1].Score, 9);
        Assert.Equal("0.8, x1.75 for 3 of 3 query terms", on[0].Note);
        Assert.Equal("1, x1.25 for 1 of 3 query terms", on[1].Note);
        Assert.Null(TextBoosts.Apply("kiln", [(rare, 1.0)], off with { CoverageBoost = 0.75 })[0].Note);
    }
}
