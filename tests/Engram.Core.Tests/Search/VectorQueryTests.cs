using Engram.Core.Model;
using Engram.Core.Search;

namespace Engram.Core.Tests.Search;

public sealed class VectorQueryTests
{
    private static readonly DateTimeOffset At = new(2024, 9, 14, 12, 0, 0, TimeSpan.Zero);

    private static (Memory Memory, double Score, string? Note) Candidate(string id, string content, string? speaker = null) => (new Memory
    {
        Id = id, Kind = MemoryKind.Message, Content = content, CreatedAt = At, UpdatedAt = At, ValidFrom = At, ContentHash = id,
        Metadata = speaker is null ? Memory.EmptyMetadata : new Dictionary<string, string> { ["speaker"] = speaker },
    }, 1.0, null);

    [Fact]
    public void The_query_is_embedded_without_the_names_of_the_candidates_speakers()
    {
        var on = new SearchOptions { VectorQueryWithoutSpeakers = true };
        IReadOnlyList<(Memory, double, string?)> text = [Candidate("a", "I ran a charity race", "Melanie Rose"), Candidate("b", "I paint", "Caroline")];

        Assert.Equal("What did  realize after the charity race?", VectorQuery.Text(on, "What did Melanie realize after the charity race?", text));
        Assert.Equal("Where does  work?", VectorQuery.Text(on, "Where does CAROLINE work?", text));
        // Nothing to remove, a query that would be left empty, or the setting off: the query as it is.
        Assert.Equal("What did Ben paint?", VectorQuery.Text(on, "What did Ben paint?", text));
        Assert.Equal("Melanie?", VectorQuery.Text(on, "Melanie?", text));
        Assert.Equal("What did Melanie paint?", VectorQuery.Text(new SearchOptions { VectorQueryWithoutSpeakers = false }, "What did Melanie paint?", text));
        Assert.Equal("What did Melanie paint?", VectorQuery.Text(on, "What did Melanie paint?", [Candidate("c", "a note")]));
    }

    [Fact]
    public void A_query_longer_than_a_provider_takes_is_embedded_from_its_start()
    {
        var log = string.Concat(Enumerable.Repeat("at Engram.Worker.Drain() line 42\n", 10_000));
        Assert.Equal(log[..VectorQuery.MaxCharacters], VectorQuery.Text(new SearchOptions(), log, []));
        // An emoji across the cut is left out whole, not split into half a surrogate pair.
        var split = new string('a', VectorQuery.MaxCharacters - 1) + "😀 tail";
        Assert.Equal(new string('a', VectorQuery.MaxCharacters - 1), VectorQuery.Text(new SearchOptions(), split, []));
    }
}
