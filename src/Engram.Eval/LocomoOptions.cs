using Engram.Core;
using Engram.Core.Model;

namespace Engram.Eval;

/// <summary>What a LoCoMo run measures and over which conversations.</summary>
public sealed record LocomoOptions
{
    /// <summary>Cut-offs, counted in distinct dialog ids.</summary>
    public IReadOnlyList<int> Ks { get; init; } = LocomoScorer.DefaultKs;

    /// <summary>Conversations to run, such as "0-4" or "5,7"; null runs all of them.</summary>
    public string? Conversations { get; init; }

    /// <summary>At most this many scored questions per conversation (the first ones); null scores all.</summary>
    public int? Limit { get; init; }

    /// <summary>Groups of conversations reported separately; a split none of whose conversations ran is left out.</summary>
    public IReadOnlyList<LocomoSplit> Splits { get; init; } = LocomoSplit.Standard;

    /// <summary>The tenant the memories are written to.</summary>
    public string Tenant { get; init; } = MemoryScope.DefaultTenant;

    /// <summary>Each conversation's memories belong to the user "{prefix}{sample_id}".</summary>
    public string UserIdPrefix { get; init; } = "locomo-";

    public void Validate()
    {
        LocomoScorer.ValidateKs(Ks);
        if (Limit is < 1) throw new EngramException($"question limit {Limit} must be at least 1");
        if (string.IsNullOrWhiteSpace(Tenant)) throw new EngramException("the LoCoMo tenant is empty");
        if (Conversations is not null && !string.IsNullOrWhiteSpace(Conversations)) ConversationSelection.Parse(Conversations);
        foreach (var split in Splits)
        {
            if (string.IsNullOrWhiteSpace(split.Name)) throw new EngramException($"a split over '{split.Conversations}' has no name");
            ConversationSelection.Parse(split.Conversations);
        }
    }
}
