namespace Engram.Core.Search;

/// <summary>Ranking settings (section <c>Search</c> in settings.json).</summary>
public sealed record SearchOptions
{
    /// <summary>Age at which a memory's recency boost has halved.</summary>
    public double RecencyHalfLifeDays { get; init; } = 30;
    /// <summary>0 ignores age; 1 lets an old memory lose all of its score. The default nudges ties toward new memories.</summary>
    public double RecencyWeight { get; init; } = 0.1;
    /// <summary>How much importance (0-1, default 0.5) moves a score: a factor between 1 - w/2 and 1 + w/2.</summary>
    public double ImportanceWeight { get; init; } = 0.2;
    /// <summary>
    /// An observation never returned by a search or fetched, of no more than the default importance, falls
    /// in rank once it is this old: the work it records has likely been absorbed or superseded.
    /// </summary>
    public double IdleAfterDays { get; init; } = 30;
    /// <summary>The factor such an idle observation's score is multiplied by (1: no effect).</summary>
    public double IdleFactor { get; init; } = 0.8;
    /// <summary>
    /// The k of reciprocal rank fusion: higher flattens the advantage of the top ranks. 5, chosen with the
    /// vector weights on LoCoMo conversations 0-4 and the recall set's tuning split (docs/benchmarks.md).
    /// </summary>
    public int RrfK { get; init; } = 5;
    /// <summary>How much the vector ranking counts in the fusion, against 1 for the text ranking.</summary>
    public double VectorWeight { get; init; } = 3;
    /// <summary>
    /// The vector weight for conversation messages (kind message): a bare chat turn is a weaker dense match
    /// than a self-contained fact or observation, so it counts for less.
    /// </summary>
    public double MessageVectorWeight { get; init; } = 0.3;
    /// <summary>
    /// How much a message's stored vector leans toward the messages next to it in its session: the vector is
    /// v + s * (v_before + v_after), normalised, so a reply ("Yes, a corgi!") also carries what it answers.
    /// 0 stores each message's own vector.
    /// </summary>
    public double NeighbourVectorShare { get; init; } = 0.3;
    /// <summary>
    /// Embed the query without the names of speakers it mentions (speakers of the text candidates): who
    /// said something is the text ranking's speaker boost's business; the vectors match what was said.
    /// </summary>
    public bool VectorQueryWithoutSpeakers { get; init; } = true;
    /// <summary>Candidates taken from each signal before fusion, as a multiple of the requested limit.</summary>
    public int CandidateMultiplier { get; init; } = 5;
    /// <summary>Lower bound on candidates per signal.</summary>
    public int MinCandidates { get; init; } = 50;
    /// <summary>Extra weight (x(1+w)) for a message whose speaker the query names.</summary>
    public double SpeakerBoost { get; init; } = 0.5;
    /// <summary>Extra weight for a memory whose valid time matches a date the query names.</summary>
    public double DateBoost { get; init; } = 1.0;
    /// <summary>Days either side of a named day that still count as that day.</summary>
    public int DateSlackDays { get; init; } = 1;
    /// <summary>Extra weight, for "when" questions, for memories that mention a time.</summary>
    public double WhenBoost { get; init; } = 0.5;
    /// <summary>Extra weight, for "how many/long/often/much" questions, for memories that state a number.</summary>
    public double NumberBoost { get; init; } = 0.5;
    /// <summary>Extra weight, up to x(1+w), by the share of the query's terms a memory's own words contain.</summary>
    public double CoverageBoost { get; init; } = 0.75;

    public void Validate()
    {
        Require(RecencyHalfLifeDays > 0, "Search:RecencyHalfLifeDays", "a number of days above 0");
        Require(RecencyWeight is >= 0 and <= 1, "Search:RecencyWeight", "a number from 0 to 1");
        Require(ImportanceWeight is >= 0 and <= 1, "Search:ImportanceWeight", "a number from 0 to 1");
        Require(IdleAfterDays > 0, "Search:IdleAfterDays", "a number of days above 0");
        Require(IdleFactor is > 0 and <= 1, "Search:IdleFactor", "a number above 0, at most 1");
        Require(RrfK >= 1, "Search:RrfK", "a whole number of at least 1");
        Require(VectorWeight is >= 0 and <= 10, "Search:VectorWeight", "a number from 0 to 10");
        Require(MessageVectorWeight is >= 0 and <= 10, "Search:MessageVectorWeight", "a number from 0 to 10");
        Require(NeighbourVectorShare is >= 0 and <= 1, "Search:NeighbourVectorShare", "a number from 0 to 1");
        Require(CandidateMultiplier >= 1, "Search:CandidateMultiplier", "a whole number of at least 1");
        Require(MinCandidates >= 1, "Search:MinCandidates", "a whole number of at least 1");
        Require(SpeakerBoost is >= 0 and <= 10, "Search:SpeakerBoost", "a number from 0 to 10");
        Require(DateBoost is >= 0 and <= 10, "Search:DateBoost", "a number from 0 to 10");
        Require(WhenBoost is >= 0 and <= 10, "Search:WhenBoost", "a number from 0 to 10");
        Require(NumberBoost is >= 0 and <= 10, "Search:NumberBoost", "a number from 0 to 10");
        Require(CoverageBoost is >= 0 and <= 10, "Search:CoverageBoost", "a number from 0 to 10");
        Require(DateSlackDays is >= 0 and <= 366, "Search:DateSlackDays", "a whole number of days from 0 to 366");
    }

    private static void Require(bool ok, string key, string expected)
    {
        if (!ok) throw new EngramException($"setting {key} must be {expected}");
    }
}
