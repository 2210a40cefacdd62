using Engram.Core.Privacy;

namespace Engram.Core.Tests.Privacy;

public sealed class PrivateTagsTests
{
    [Theory]
    [InlineData("keep <private>drop</private> keep", "keep  keep")]
    [InlineData("a<PRIVATE>b</Private>c", "ac")]
    [InlineData("one\n<private>\nline two\nline three\n</private>\nfour", "one\n\nfour")]
    [InlineData("x<private>a<private>b</private>c</private>y", "xy")]
    [InlineData("x<private>a<private>b</private>c", "x")]
    [InlineData("start <private>everything after is secret", "start ")]
    [InlineData("a</private>b", "ab")]
    [InlineData("<private>1</private>mid<private>2</private>end", "midend")]
    [InlineData("<private></private>", "")]
    [InlineData("a <privateer> b", "a <privateer> b")]
    public void Strip_removes_private_spans(string input, string expected)
    {
        Assert.Equal(expected, PrivateTags.Strip(input));
    }

    [Fact]
    public void Strip_returns_text_without_tags_unchanged()
    {
        const string text = "nothing to hide here";
        Assert.Same(text, PrivateTags.Strip(text));
        Assert.Equal("", PrivateTags.Strip(null));
        Assert.False(PrivateTags.Contains(text));
        Assert.True(PrivateTags.Contains("a </PRIVATE> b"));
    }

    [Fact]
    public void Strip_is_linear_on_large_inputs_with_many_tags()
    {
        var closes = string.Concat(Enumerable.Repeat("text </private> ", 200_000));
        Assert.Equal(string.Concat(Enumerable.Repeat("text  ", 200_000)), PrivateTags.Strip(closes));

        var opens = "keep" + string.Concat(Enumerable.Repeat("<private> x ", 200_000));
        Assert.Equal("keep", PrivateTags.Strip(opens));
    }

    [Fact]
    public void PrivacyFilter_strips_then_redacts()
    {
        var result = PrivacyFilter.ApplyWithReport("use <private>my diary</private>DB_PASSWORD=hunter22 now");
        Assert.Equal("use DB_PASSWORD=[REDACTED:secret] now", result.Text);
        Assert.Equal(1, result.Count);
    }
}
