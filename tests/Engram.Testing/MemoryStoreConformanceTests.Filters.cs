using Engram.Core.Model;
using Engram.Core.Services;

namespace Engram.Testing;

/// <summary>
/// Exactness of every filter on both signals: many strong matches the filter turns away must never crowd out
/// the weak ones it lets through, whichever way a store narrows (in the index, on the winners, in SQL).
/// </summary>
public abstract partial class MemoryStoreConformanceTests
{
    private static readonly DateTimeOffset Old = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Recent = new(2025, 6, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// A filter case: how the strong (turned away) and weak (let through) memories are added, and the filter.
    /// The weak ones are a fact of alice in project shop, valid from 2025, with tool=Edit, in the default tenant
    /// (in tenant acme for "tenant", where the strong ones are the default tenant's).
    /// </summary>
    public static TheoryData<string> FilterCases() => ["kind", "since", "until", "metadata", "project", "unscoped", "tenant", "combined"];

    private static AddMemoryRequest Weak(string filterCase, int i) => filterCase == "tenant"
        ? Weak(i) with { Scope = Weak(i).Scope with { Tenant = "acme" } }
        : Weak(i);

    private static AddMemoryRequest Weak(int i) => new()
    {
        Content = $"an apple and a long list of unrelated words to dilute it, number {i}",
        Kind = MemoryKind.Fact,
        ValidFrom = Recent.AddDays(i),
        Metadata = new Dictionary<string, string> { ["tool"] = "Edit" },
        Scope = new MemoryScope { UserId = "alice", Project = "shop" },
    };

    private static AddMemoryRequest Strong(string filterCase, int i)
    {
        var strong = Weak(i) with { Content = $"apple apple apple orchard {i}" };
        return (filterCase, i % 4) switch
        {
            ("kind", _) or ("combined", 0) => strong with { Kind = MemoryKind.Observation },
            ("since", _) or ("combined", 1) => strong with { ValidFrom = Old.AddDays(i) },
            ("until", _) => strong with { ValidFrom = Recent.AddYears(1).AddDays(i) },
            ("metadata", _) or ("combined", 2) => strong with { Metadata = new Dictionary<string, string> { ["tool"] = "Read" } },
            ("project", _) or ("combined", 3) => strong with { Scope = strong.Scope with { Project = "blog" } },
            ("unscoped", _) => strong with { Scope = new MemoryScope { Tenant = "other", UserId = "alice", Project = "shop" } },
            ("tenant", _) => strong,
            _ => throw new ArgumentOutOfRangeException(nameof(filterCase), filterCase, null),
        };
    }

    private static MemoryFilter FilterFor(string filterCase) => filterCase switch
    {
        "kind" => new MemoryFilter { UserId = "alice", Kinds = [MemoryKind.Fact] },
        "since" => new MemoryFilter { UserId = "alice", Since = Recent.AddDays(-1) },
        "until" => new MemoryFilter { UserId = "alice", Until = Recent.AddYears(1) },
        "metadata" => new MemoryFilter { UserId = "alice", Metadata = new Dictionary<string, string> { ["tool"] = "Edit" } },
        "project" => new MemoryFilter { Project = "shop" },
        "unscoped" => new MemoryFilter(),
        "tenant" => new MemoryFilter { Tenant = "acme" },
        _ => new MemoryFilter
        {
            UserId = "alice", Project = "shop", Kinds = [MemoryKind.Fact], Since = Recent.AddDays(-1),
            Metadata = new Dictionary<string, string> { ["tool"] = "Edit" },
        },
    };

    [Theory]
    [MemberData(nameof(FilterCases))]
    public async Task Every_filter_ranks_exactly_when_stronger_matches_fail_it(string filterCase)
    {
        var embeddings = new WordHashEmbeddingGenerator();
        var (store, service) = await NewServiceAsync(embeddings);
        for (var i = 0; i < 120; i++) await service.AddAsync(Strong(filterCase, i), TestContext.Current.CancellationToken);
        var weak = new List<string>();
        for (var i = 0; i < 5; i++) weak.Add((await service.AddAsync(Weak(filterCase, i), TestContext.Current.CancellationToken)).Results[0].Memory.Id);
        var filter = FilterFor(filterCase);

        var top3 = await store.SearchTextAsync(["apple"], filter, 3, TestContext.Current.CancellationToken);
        Assert.Equal(3, top3.Count);
        Assert.All(top3, h => Assert.Contains(h.Memory.Id, weak));
        var all = await store.SearchTextAsync(["apple"], filter, 50, TestContext.Current.CancellationToken);
        Assert.Equal(weak.Order(StringComparer.Ordinal), all.Select(h => h.Memory.Id).Order(StringComparer.Ordinal));
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Score >= p.Second.Score));
        Assert.Equal(top3.Select(h => h.Memory.Id), all.Take(3).Select(h => h.Memory.Id));

        var query = (await embeddings.GenerateAsync(["apple"], cancellationToken: TestContext.Current.CancellationToken))[0].Vector;
        var near3 = await store.SearchVectorAsync(query, "word-hash-64", filter, 3, TestContext.Current.CancellationToken);
        Assert.Equal(3, near3.Count);
        Assert.All(near3, h => Assert.Contains(h.Memory.Id, weak));
        var near = await store.SearchVectorAsync(query, "word-hash-64", filter, 50, TestContext.Current.CancellationToken);
        Assert.Equal(weak.Order(StringComparer.Ordinal), near.Select(h => h.Memory.Id).Order(StringComparer.Ordinal));

        var hybrid = await service.SearchAsync(new SearchRequest { Query = "apple", Filter = filter, Limit = 50 }, TestContext.Current.CancellationToken);
        Assert.Equal(weak.Order(StringComparer.Ordinal), hybrid.Select(h => h.Memory.Id).Order(StringComparer.Ordinal));
    }
}
