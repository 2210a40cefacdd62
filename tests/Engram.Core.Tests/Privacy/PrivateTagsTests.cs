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
    [InlineData("<private>1</private>mid<private>2</private>end", "midend")]
    [InlineData("<private></private>", "")]
    [InlineData("a <privateer> b", "a <privateer> b")]
    [InlineData("a <private-notes> b", "a <private-notes> b")]
    // A closing tag with no opening hides what came before it in its field.
    [InlineData("secret part</private>public part", "public part")]
    // Variants: white space, attributes, HTML escapes, fullwidth and small brackets, invisible characters.
    [InlineData("a< private >b</ private >c", "ac")]
    [InlineData("a<private reason=\"diary\">b</private>c", "ac")]
    [InlineData("a&lt;private&gt;b&lt;/private&gt;c", "ac")]
    [InlineData("a&LT;private&GT;b&#60;/private&#62;c", "ac")]
    [InlineData("a＜private＞b＜/private＞c", "ac")]
    [InlineData("a﹤private﹥b﹤／private﹥c", "ac")]
    [InlineData("a<ｐｒｉｖａｔｅ>b</ＰＲＩＶＡＴＥ>c", "ac")]
    [InlineData("a<pri\u200Bvate>b</\u200Dprivate\uFEFF>c", "ac")]
    [InlineData("a<\u2060private\u00AD>b</private>c", "ac")]
    [InlineData("a<private\n  data-x='1'\n>b</private>c", "ac")]
    public void Strip_removes_private_spans(string input, string expected)
    {
        Assert.Equal(expected, PrivateTags.Strip(input));
    }

    [Fact]
    public void A_span_runs_across_fields_of_one_event()
    {
        var spans = new PrivateSpans();
        Assert.Equal("ls ", spans.Filter("ls <private>~/diary"));
        Assert.True(spans.Hiding);
        Assert.Equal("", spans.Filter("entirely inside"));
        Assert.Equal(" done", spans.Filter("dear diary</private> done"));
        Assert.False(spans.Hiding);
        Assert.Equal("after", spans.Filter("after"));
    }

    [Fact]
    public void An_unclosed_span_hides_every_later_field()
    {
        var scope = PrivacyFilter.NewScope();
        Assert.Equal("title ", scope.Text("title <private>"));
        Assert.Equal("", scope.Text("content DB_PASSWORD=x"));
        Assert.Empty(scope.List(["fact one"]));
        Assert.Empty(scope.Metadata(new Dictionary<string, string> { ["k"] = "v" }));
    }

    [Fact]
    public void Strip_returns_text_without_tags_unchanged()
    {
        const string text = "nothing to hide here";
        Assert.Same(text, PrivateTags.Strip(text));
        Assert.Equal("", PrivateTags.Strip(null));
        Assert.False(PrivateTags.Contains(text));
        Assert.True(PrivateTags.Contains("a </PRIVATE> b"));
        Assert.True(PrivateTags.Contains("a ＜private＞ b"));
    }

    [Fact]
    public void Strip_is_linear_on_large_inputs_with_many_tags()
    {
        var opens = "keep" + string.Concat(Enumerable.Repeat("<private> x ", 200_000));
        Assert.Equal("keep", PrivateTags.Strip(opens));

        var nearMisses = string.Concat(Enumerable.Repeat("< private" + new string(' ', 300), 5_000));
        Assert.Equal(nearMisses, PrivateTags.Strip(nearMisses));

        var closes = string.Concat(Enumerable.Repeat("text </private> ", 200_000));
        Assert.Equal(" ", PrivateTags.Strip(closes));
    }

    [Fact]
    public void PrivacyFilter_strips_then_redacts()
    {
        var result = PrivacyFilter.ApplyWithReport("use <private>my diary</private>DB_PASSWORD=hunter22 now");
        Assert.Equal("use DB_PASSWORD=[REDACTED:secret] now", result.Text);
        Assert.Equal(1, result.Count);
    }

    [Fact]
    public void Raw_text_that_is_not_json_is_filtered_whole()
    {
        const string raw = "{\"v\":1,\"payload\":{\"tool_input\":{\"command\":\"echo \\u003cprivate\\u003ediary";
        Assert.Equal("{\"v\":1,\"payload\":{\"tool_input\":{\"command\":\"echo ", PrivacyFilter.ApplyToRawText(raw));
        var bytes = "{\"cmd\":\"mysql -pS3cretPw shop\", \xff\xfe broken"u8.ToArray();
        Assert.DoesNotContain("S3cretPw", PrivacyFilter.ApplyToRawBytes(bytes), StringComparison.Ordinal);
    }
}
