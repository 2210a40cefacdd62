using Engram.Core.Model;
using Engram.Core.Search;
using Engram.Core.Services;
using Engram.Sqlite;
using Engram.Testing;

namespace Engram.Embeddings.Tests;

/// <summary>Neighbour-blended message vectors (Search:NeighbourVectorShare), on a real SQLite file.</summary>
public sealed class NeighbourVectorTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private readonly WordHashEmbeddingGenerator _generator = new();
    private SqliteMemoryStore _store = null!;
    private MemoryService _service = null!;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteMemoryStore(_folder.File("memory.db"));
        await _store.InitializeAsync();
        _service = new MemoryService(_store, new SearchOptions { NeighbourVectorShare = 0.5 }, _generator, embedOnWrite: false);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _folder.Dispose();
    }

    private async Task<Memory> AddAsync(string text, MemoryKind kind = MemoryKind.Message, string session = "s1") =>
        (await _service.AddAsync(new AddMemoryRequest { Content = text, Kind = kind, Scope = new MemoryScope { UserId = "u", SessionId = session } })).Results[0].Memory;

    private async Task<float[]> OwnAsync(Memory memory) => (await _generator.GenerateAsync([MemoryService.EmbeddingText(memory)]))[0].Vector.ToArray();

    private async Task<float[]> BlendAsync(Memory memory, params Memory[] neighbours)
    {
        var others = new List<ReadOnlyMemory<float>>();
        foreach (var n in neighbours) others.Add(await OwnAsync(n));
        return MessageNeighbours.Blend(await OwnAsync(memory), others, 0.5).ToArray();
    }

    /// <summary>The similarity the store gives the memory for this exact vector (1 when it is what was stored).</summary>
    private async Task<double> StoredSimilarityAsync(Memory memory, float[] vector)
    {
        var hits = await _store.SearchVectorAsync(vector, "word-hash-64", new MemoryFilter(), 20);
        return hits.Single(h => h.Memory.Id == memory.Id).Similarity;
    }

    [Fact]
    public async Task A_message_vector_blends_its_neighbours_and_a_later_message_updates_the_one_before_it()
    {
        var first = await AddAsync("do you have any pets");
        var second = await AddAsync("yes a corgi named Biscuit");
        var third = await AddAsync("he loves the beach");
        Assert.Equal(3, (await _service.EmbedPendingAsync(cancellationToken: TestContext.Current.CancellationToken)).Embedded);

        Assert.True(await StoredSimilarityAsync(second, await BlendAsync(second, first, third)) > 0.99);
        Assert.True(await StoredSimilarityAsync(third, await BlendAsync(third, second)) > 0.99);
        Assert.True(await StoredSimilarityAsync(second, await OwnAsync(second)) < 0.95);

        // A fourth message: one memory waits, and the third's vector now carries it too.
        var fourth = await AddAsync("we walk every morning at six");
        Assert.Equal(1, (await _service.EmbedPendingAsync(cancellationToken: TestContext.Current.CancellationToken)).Embedded);
        Assert.True(await StoredSimilarityAsync(third, await BlendAsync(third, second, fourth)) > 0.99);
        Assert.True(await StoredSimilarityAsync(fourth, await BlendAsync(fourth, third)) > 0.99);
    }

    [Fact]
    public async Task Facts_and_other_sessions_keep_their_own_vectors()
    {
        var fact = await AddAsync("Maya adopted a greyhound", MemoryKind.Fact);
        var alone = await AddAsync("a message of another session", session: "s2");
        await AddAsync("a message after the fact");
        await _service.EmbedPendingAsync(cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(await StoredSimilarityAsync(fact, await OwnAsync(fact)) > 0.99);
        Assert.True(await StoredSimilarityAsync(alone, await OwnAsync(alone)) > 0.99);
    }

    [Fact]
    public void Blend_normalises_and_ignores_a_zero_share()
    {
        float[] own = [1, 0];
        Assert.Equal(own, MessageNeighbours.Blend(own, [new float[] { 0, 1 }], 0).ToArray());
        var blended = MessageNeighbours.Blend(own, [new float[] { 0, 1 }], 1).ToArray();
        Assert.Equal(1 / Math.Sqrt(2), blended[0], 5);
        Assert.Equal(1 / Math.Sqrt(2), blended[1], 5);
    }
}
