using System.IO.Compression;
using Engram.Core.Text;

namespace Engram.Core.Tests.Text;

// Every expectation here is what WordNet 3.0 says, checked against its own browser (wn).
public sealed class LexiconTests
{
    private static readonly Lexicon Shipped = Lexicon.Default;

    [Theory]
    [InlineData("sports", "sport")]
    [InlineData("churches", "church")]
    [InlineData("went", "go")]
    [InlineData("ran", "run")]
    [InlineData("mice", "mouse")]
    [InlineData("kids", "kid")]
    [InlineData("cities", "city")]
    [InlineData("video games", "video game")]
    [InlineData("went out", "go out")]
    [InlineData("sport", "sport")]
    public void Base_forms_come_from_the_exception_lists_and_the_suffix_rules(string word, string lemma) =>
        Assert.Equal([lemma], Shipped.Lemmas(word));

    [Fact]
    public void A_lemma_comes_first_then_the_base_forms_it_inflects()
    {
        Assert.Equal(["better", "good", "well"], Shipped.Lemmas("better"));
        Assert.Equal(["hiking", "hike"], Shipped.Lemmas("hiking"));
        Assert.Equal(["painting", "paint"], Shipped.Lemmas("painting"));
    }

    [Fact]
    public void Case_underscores_and_spacing_do_not_matter()
    {
        Assert.Equal(["sport"], Shipped.Lemmas("SPORTS"));
        Assert.Equal(["video game"], Shipped.Lemmas("Video_Games"));
        Assert.Equal(["video game"], Shipped.Lemmas("  video \t games "));
        Assert.Equal(Shipped.Broader("church"), Shipped.Broader("Church"));
        Assert.Equal(Shipped.Related("Religious"), Shipped.Related("religious"));
    }

    [Theory]
    [InlineData("xyzzyq")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("sport!")]
    public void Unknown_words_have_nothing(string word)
    {
        Assert.Empty(Shipped.Lemmas(word));
        Assert.Empty(Shipped.Related(word));
        Assert.Empty(Shipped.Broader(word, depth: 5));
        Assert.Empty(Shipped.Narrower(word, depth: 5));
    }

    [Fact]
    public void Text_longer_than_any_word_is_unknown_without_trouble() =>
        Assert.Empty(Shipped.Lemmas(string.Concat(Enumerable.Repeat("surfing ", 10_000))));

    [Fact]
    public void Broader_goes_up_level_by_level()
    {
        Assert.Equal(["water sport", "aquatics"], Shipped.Broader("surfing"));
        Assert.Equal(["water sport", "aquatics", "sport", "athletics"], Shipped.Broader("surfing", depth: 2));
        Assert.Equal(["game"], Shipped.Broader("video games").Take(1));
        Assert.Contains("stringed instrument", Shipped.Broader("guitar"));
        Assert.Contains("musical instrument", Shipped.Broader("guitar", depth: 2));
    }

    [Fact]
    public void Broader_takes_the_frequent_senses_only()
    {
        // "church": the Christian church (-> religion) and the building (-> place of worship) are tagged about
        // equally often; sport's first sense is the diversion, its second the occupation of athletes.
        var church = Shipped.Broader("church");
        Assert.Contains("religion", church);
        Assert.Contains("place of worship", church);
        Assert.Equal(["diversion", "recreation"], Shipped.Broader("sport", senses: 1));
        Assert.Contains("occupation", Shipped.Broader("sport", senses: 2));
        // "dog" as a verb (to chase) is tagged 2 times against 42 for the animal: skipped.
        Assert.DoesNotContain("chase", Shipped.Broader("dog", senses: 3));
    }

    [Fact]
    public void WordNet_does_not_file_dogs_under_pets_but_both_are_animals()
    {
        var dog = Shipped.Broader("dog", depth: 10);
        Assert.Contains("domestic animal", dog);
        Assert.Contains("animal", dog);
        Assert.DoesNotContain("pet", dog);
        Assert.Contains("animal", Shipped.Broader("pet"));
        Assert.Empty(Shipped.Narrower("pet", depth: 3));
    }

    [Fact]
    public void Narrower_goes_down_the_most_used_first_and_stops_at_max()
    {
        var sport = Shipped.Narrower("sport", depth: 2, max: 1000).ToList();
        Assert.Contains("water sport", sport);
        Assert.Contains("skiing", sport);
        Assert.Contains("surfing", sport);
        Assert.True(sport.IndexOf("water sport") < sport.IndexOf("surfing"));
        Assert.Contains("surfing", Shipped.Narrower("water sport"));
        Assert.Equal(10, Shipped.Narrower("sport", depth: 3, max: 10).Count);
        Assert.Equal(Shipped.Narrower("sport", depth: 3, max: 1000).Take(10), Shipped.Narrower("sport", depth: 3, max: 10));
    }

    [Fact]
    public void Instruments_are_devices_and_music_only_in_a_sense_too_rare_to_follow()
    {
        // The musical instrument is the sixth sense of "instrument", never tagged: only its full name reaches guitars.
        Assert.Contains("measuring instrument", Shipped.Narrower("instrument"));
        Assert.DoesNotContain("guitar", Shipped.Narrower("instrument", depth: 3, max: 1000, senses: 6));
        Assert.Contains("guitar", Shipped.Narrower("musical instrument", depth: 2, max: 1000));
    }

    [Fact]
    public void Related_holds_synonyms_derivations_and_pertainyms()
    {
        var religious = Shipped.Related("religious");
        Assert.Contains("religion", religious);
        Assert.Contains("spiritual", religious);
        Assert.Contains("religious", Shipped.Related("religion"));
        Assert.Contains("music", Shipped.Related("musical"));
        Assert.Contains("musical", Shipped.Related("music"));
        Assert.Contains("swimmer", Shipped.Related("swim"));
        Assert.Contains("athletics", Shipped.Related("sports"));
        Assert.Contains("church building", Shipped.Related("churches"));
    }

    [Theory]
    [InlineData("churches")]
    [InlineData("went")]
    [InlineData("painting")]
    [InlineData("better")]
    public void Answers_never_repeat_the_word_or_its_base_forms(string word)
    {
        var own = Shipped.Lemmas(word).Append(word).ToHashSet();
        foreach (var answer in new[] { Shipped.Related(word), Shipped.Broader(word, depth: 3), Shipped.Narrower(word, depth: 2) })
        {
            Assert.DoesNotContain(answer, own.Contains);
            Assert.Equal(answer.Distinct(), answer);
        }
    }

    [Fact]
    public void A_lemma_is_looked_up_for_its_own_senses_and_irregular_base_forms_only()
    {
        // "hike" as a verb first means "boost" (prices); "hiking" is the walk.
        Assert.DoesNotContain("boost", Shipped.Related("hiking"));
        Assert.Contains("walk", Shipped.Broader("hiking"));
        // "saw" is a lemma (the tool) and the past of "see", from the exception list.
        Assert.Contains("perceive", Shipped.Broader("saw"));
    }

    [Fact]
    public void The_default_lexicon_loads_once_and_answers_in_parallel()
    {
        Assert.Same(Lexicon.Default, Lexicon.Default);
        var expected = Shipped.Broader("surfing", depth: 2);
        var answers = new IReadOnlyList<string>[64];
        Parallel.For(0, answers.Length, i => answers[i] = Lexicon.Default.Broader("surfing", depth: 2));
        Assert.All(answers, a => Assert.Equal(expected, a));
    }

    [Fact]
    public void The_shipped_resource_carries_the_WordNet_licence()
    {
        using var stream = typeof(Lexicon).Assembly.GetManifestResourceStream("Engram.Core.Text.Lexicon.lexicon.v1.txt.gz")!;
        using var reader = new StreamReader(new GZipStream(stream, CompressionMode.Decompress));
        var header = string.Join('\n', Enumerable.Range(0, 40).Select(_ => reader.ReadLine()).TakeWhile(l => l is not null && l.StartsWith('#')));
        Assert.Contains("WordNet 3.0 Copyright 2006 by Princeton University.  All rights reserved.", header);
        Assert.Contains("THIS SOFTWARE AND DATABASE IS PROVIDED \"AS IS\"", header);
    }
}
