using Engram.Core.Model;
using Engram.Core.Services;

namespace Engram.Testing;

/// <summary>Full-text ranking every store shares (BM25 in SQLite, IDF-weighted ts_rank in PostgreSQL).</summary>
public abstract partial class MemoryStoreConformanceTests
{
    [Fact]
    public async Task A_rare_query_word_counts_more_than_a_common_one()
    {
        var (_, service) = await NewServiceAsync();
        for (var i = 0; i < 6; i++) await AddAsync(service, $"The server in rack {i} was rebooted");
        // Added last and longer, so neither insertion order nor length normalisation puts it first.
        var rare = await AddAsync(service, "A zebra was painted on the long mural beside the old station entrance");
        var hits = await service.SearchAsync(new SearchRequest { Query = "zebra server", Filter = new MemoryFilter { UserId = "alice" } }, TestContext.Current.CancellationToken);
        Assert.Equal(rare.Id, hits[0].Memory.Id);
    }

    [Fact]
    public async Task A_word_in_the_title_counts_more_than_the_same_word_in_the_content()
    {
        var (_, service) = await NewServiceAsync();
        await service.AddAsync(new AddMemoryRequest { Content = "kubernetes cluster notes for the platform team", Scope = Alice }, TestContext.Current.CancellationToken);
        var titled = (await service.AddAsync(new AddMemoryRequest { Title = "Kubernetes", Content = "cluster notes for the platform team", Scope = Alice }, TestContext.Current.CancellationToken)).Results[0].Memory;
        var hits = await service.SearchAsync(new SearchRequest { Query = "kubernetes", Filter = new MemoryFilter { UserId = "alice" } }, TestContext.Current.CancellationToken);
        Assert.Equal(2, hits.Count);
        Assert.Equal(titled.Id, hits[0].Memory.Id);
    }
}
