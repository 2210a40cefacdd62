using Engram.Core;

namespace Engram.Eval.Tests;

public sealed class ConversationSelectionTests
{
    [Theory]
    [InlineData("0-4", new[] { 0, 1, 2, 3, 4 })]
    [InlineData("5,7", new[] { 5, 7 })]
    [InlineData(" 8 , 0-2,1 ", new[] { 0, 1, 2, 8 })]
    [InlineData("3-3", new[] { 3 })]
    public void Ranges_and_lists_are_parsed(string text, int[] expected)
    {
        Assert.Equal(expected, ConversationSelection.Parse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("4-2")]
    [InlineData("-1")]
    [InlineData("1-")]
    [InlineData("1.5")]
    public void Bad_selections_name_the_text(string text)
    {
        var error = Assert.Throws<EngramException>(() => ConversationSelection.Parse(text));
        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_selects_everything_by_default_and_checks_the_range()
    {
        Assert.Equal([0, 1, 2], ConversationSelection.Resolve(null, 3));
        Assert.Equal([1, 2], ConversationSelection.Resolve("1-2", 3));
        var error = Assert.Throws<EngramException>(() => ConversationSelection.Resolve("2-3", 3));
        Assert.Contains("conversation 3 does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains("0-2", error.Message, StringComparison.Ordinal);
    }
}
