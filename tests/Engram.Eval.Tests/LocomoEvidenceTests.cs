namespace Engram.Eval.Tests;

public sealed class LocomoEvidenceTests
{
    private static readonly HashSet<string> Valid = ["D1:3", "D8:6", "D9:17", "D11:26", "D30:5", "D2:1", "D4:10"];

    [Fact]
    public void Plain_ids_pass_through()
    {
        Assert.Equal(["D1:3"], LocomoEvidence.Normalize(["D1:3"], Valid));
    }

    [Fact]
    public void Several_ids_in_one_string_are_split()
    {
        Assert.Equal(["D8:6", "D9:17"], LocomoEvidence.Normalize(["D8:6; D9:17"], Valid));
        Assert.Equal(["D8:6", "D9:17", "D1:3"], LocomoEvidence.Normalize(["D8:6,D9:17 D1:3"], Valid));
    }

    [Fact]
    public void A_stray_colon_after_D_is_dropped()
    {
        Assert.Equal(["D11:26"], LocomoEvidence.Normalize(["D:11:26"], Valid));
    }

    [Fact]
    public void Zero_padded_turns_lose_their_zeros()
    {
        Assert.Equal(["D30:5"], LocomoEvidence.Normalize(["D30:05"], Valid));
        Assert.Equal(["D4:10"], LocomoEvidence.Normalize(["D4:010"], Valid));
    }

    [Fact]
    public void A_zero_turn_keeps_one_zero_like_the_reference()
    {
        Assert.Equal(["D3:0"], LocomoEvidence.Parse(["D3:00"]));
    }

    [Fact]
    public void Parentheses_are_ignored()
    {
        Assert.Equal(["D2:1"], LocomoEvidence.Normalize(["(D2:1)"], Valid));
    }

    [Fact]
    public void Ids_not_in_the_conversation_are_dropped()
    {
        Assert.Equal(["D1:3"], LocomoEvidence.Normalize(["D99:1", "D1:3"], Valid));
        Assert.Empty(LocomoEvidence.Normalize(["D99:1"], Valid));
    }

    [Fact]
    public void Repeats_are_kept_once_in_first_order()
    {
        Assert.Equal(["D9:17", "D8:6"], LocomoEvidence.Normalize(["D9:17", "D8:6", "D9:17; D8:06"], Valid));
    }

    [Fact]
    public void Pieces_of_another_shape_are_ignored()
    {
        Assert.Empty(LocomoEvidence.Parse(["", "D1", "session 1", "d1:3", "D1:3x", "DD1:3", "D1:3:4"]));
    }
}
