using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Sqlite;
using Engram.Testing;
using Microsoft.Data.Sqlite;

namespace Engram.Embeddings.Tests;

/// <summary>Vectors made after storing (the worker's way), on real SQLite files.</summary>
public sealed class DeferredEmbeddingTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new();
    private SqliteMemoryStore _store = null!;

    public async ValueTask InitializeAsync()
    {
        _store = new SqliteMemoryStore(_folder.File("memory.db"));
        await _store.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _folder.Dispose();
    }

    private static Task<AddResult> AddAsync(MemoryService service, string text, string tenant = MemoryScope.DefaultTenant) =>
        service.AddAsync(new AddMemoryRequest { Content = text, Scope = new MemoryScope { Tenant = tenant } });

    [Fact]
    public async Task Add_stores_without_embedding_and_search_is_lexical_until_the_worker_catches_up()
    {
        var generator = new WordHashEmbeddingGenerator();
        var service = new MemoryService(_store, embeddings: generator, embedOnWrite: false);
        await AddAsync(service, "Bob repaired the bicycle");
        var car = (await AddAsync(service, "Alice bought a red car last spring")).Results[0].Memory;

        Assert.Equal(0, generator.Calls);
        Assert.Equal(2, (await _store.GetStatsAsync(MemoryScope.DefaultTenant, TestContext.Current.CancellationToken)).PendingEmbeddings);
        // No vectors exist yet, so the search embeds no query: it answers by words alone.
        var before = await service.SearchAsync(new SearchRequest { Query = "red car" }, TestContext.Current.CancellationToken);
        Assert.Equal(car.Id, before[0].Memory.Id);
        Assert.DoesNotContain("vector", before[0].Explanation, StringComparison.Ordinal);
        Assert.Equal(0, generator.Calls);

        Assert.Equal(2, (await service.EmbedPendingAsync(cancellationToken: TestContext.Current.CancellationToken)).Embedded);
        Assert.Equal(new EmbeddingPass(0, null), await service.EmbedPendingAsync(cancellationToken: TestContext.Current.CancellationToken));
        var stats = await _store.GetStatsAsync(MemoryScope.DefaultTenant, TestContext.Current.CancellationToken);
        Assert.Equal(0, stats.PendingEmbeddings);
        Assert.Equal(2, stats.Embeddings);

        var after = await service.SearchAsync(new SearchRequest { Query = "automobile purchase" }, TestContext.Current.CancellationToken);
        Assert.Equal(car.Id, after[0].Memory.Id);
        Assert.Contains("vector #1", after[0].Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_text_hit_still_waiting_for_its_vector_is_ranked_by_a_vector_made_for_the_search()
    {
        // The built-in model, as the CLI uses it: the worker embeds later, so a search right after an add finds the new
        // memory by its words alone while older memories are offered by their vectors.
        using var generator = new Engram.Embeddings.Local.LocalEmbeddingGenerator(Engram.Embeddings.Local.LocalModelSpec.ArcticXs);
        var service = new MemoryService(_store, embeddings: generator, embedOnWrite: false);
        var older = (await AddAsync(service, "key rotation happens on ok days")).Results[0].Memory;
        Assert.Equal(1, (await service.EmbedPendingAsync(cancellationToken: TestContext.Current.CancellationToken)).Embedded);
        var redis = (await AddAsync(service, "Redis cache evictions spike at midnight because of the batch job")).Results[0].Memory;

        var hits = await service.SearchAsync(new SearchRequest { Query = "redis evictions" }, TestContext.Current.CancellationToken);
        // Without a vector the new memory would have its text rank alone (1 / 6) against the older one's vector rank
        // (3 / 6), an unrelated memory first.
        Assert.Equal([redis.Id, older.Id], hits.Select(h => h.Memory.Id));
        Assert.Contains("text #1", hits[0].Explanation, StringComparison.Ordinal);
        Assert.Contains("vector #1", hits[0].Explanation, StringComparison.Ordinal);
        Assert.Contains("vector #2", hits[1].Explanation, StringComparison.Ordinal);
        // Nothing is stored by the search: the worker still makes the lasting vector.
        Assert.Equal(1, (await _store.GetStatsAsync(MemoryScope.DefaultTenant, TestContext.Current.CancellationToken)).PendingEmbeddings);
    }

    [Fact]
    public async Task An_edit_makes_a_memory_wait_for_a_new_vector()
    {
        var service = new MemoryService(_store, embeddings: new WordHashEmbeddingGenerator(), embedOnWrite: false);
        var memory = (await AddAsync(service, "the deploy runs on Tuesdays")).Results[0].Memory;
        await service.EmbedPendingAsync(cancellationToken: TestContext.Current.CancellationToken);
        await service.UpdateAsync(memory.Id, new MemoryUpdate { Content = "the deploy runs on Thursdays" }, cancellationToken: TestContext.Current.CancellationToken);

        var pending = await _store.ListPendingEmbeddingsAsync("word-hash-64", 64, 10, TestContext.Current.CancellationToken);
        Assert.Equal(memory.Id, Assert.Single(pending).Id);
    }

    [Fact]
    public async Task Vectors_are_stored_as_int8_and_older_float_blobs_are_still_searched()
    {
        var service = new MemoryService(_store, embeddings: new WordHashEmbeddingGenerator(), embedOnWrite: false);
        var car = (await AddAsync(service, "Alice bought a red car")).Results[0].Memory;
        var cat = (await AddAsync(service, "The cat sleeps on the sofa")).Results[0].Memory;
        await service.EmbedPendingAsync(cancellationToken: TestContext.Current.CancellationToken);

        await using (var connection = new SqliteConnection($"Data Source={_store.Path}"))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            using var size = connection.CreateCommand();
            size.CommandText = "SELECT DISTINCT length(vector) FROM embeddings";
            Assert.Equal(64L + 4, Assert.IsType<long>(await size.ExecuteScalarAsync(TestContext.Current.CancellationToken)));
            // A float32 vector, as earlier versions wrote them, for the cat memory.
            var floats = (await new WordHashEmbeddingGenerator().GenerateAsync(["The feline sleeps on the sofa"], cancellationToken: TestContext.Current.CancellationToken))[0].Vector.ToArray();
            using var legacy = connection.CreateCommand();
            legacy.CommandText = "UPDATE embeddings SET vector = @v WHERE memory_seq = (SELECT seq FROM memories WHERE id = @id)";
            legacy.Parameters.AddWithValue("@v", System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.AsSpan()).ToArray());
            legacy.Parameters.AddWithValue("@id", cat.Id);
            await legacy.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
        SqliteConnection.ClearAllPools();

        var fresh = new SqliteMemoryStore(_store.Path);
        var hits = await fresh.SearchVectorAsync((await new WordHashEmbeddingGenerator().GenerateAsync(["kitten sofa"], cancellationToken: TestContext.Current.CancellationToken))[0].Vector, "word-hash-64", new MemoryFilter(), 2, TestContext.Current.CancellationToken);
        Assert.Equal(cat.Id, hits[0].Memory.Id);
        Assert.Equal(car.Id, hits[1].Memory.Id);
    }

    [Fact]
    public async Task A_search_process_sees_vectors_another_process_wrote()
    {
        var generator = new WordHashEmbeddingGenerator();
        var searcher = new MemoryService(_store, embeddings: generator, embedOnWrite: false);
        await AddAsync(searcher, "Bob repaired the bicycle");
        await searcher.EmbedPendingAsync(cancellationToken: TestContext.Current.CancellationToken);
        await searcher.SearchAsync(new SearchRequest { Query = "bicycle" }, TestContext.Current.CancellationToken); // loads this process's vectors

        // The worker: another store object on the same file, as another process would have.
        var other = new SqliteMemoryStore(_store.Path);
        var worker = new MemoryService(other, embeddings: generator, embedOnWrite: false);
        var car = (await AddAsync(worker, "Alice bought a red car")).Results[0].Memory;
        Assert.Equal(1, (await worker.EmbedPendingAsync(cancellationToken: TestContext.Current.CancellationToken)).Embedded);

        var hits = await searcher.SearchAsync(new SearchRequest { Query = "automobile" }, TestContext.Current.CancellationToken);
        Assert.Equal(car.Id, hits[0].Memory.Id);
        Assert.Contains("vector #1", hits[0].Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Vector_search_keeps_to_the_tenant_even_when_other_tenants_fill_the_top()
    {
        var service = new MemoryService(_store, embeddings: new WordHashEmbeddingGenerator(), embedOnWrite: false);
        for (var i = 0; i < 250; i++) await AddAsync(service, $"red car number {i}", tenant: "acme");
        var mine = (await AddAsync(service, "a car in the garage", tenant: "globex")).Results[0].Memory;
        while ((await service.EmbedPendingAsync(100, TestContext.Current.CancellationToken)).Embedded > 0) { }

        var hits = await _store.SearchVectorAsync((await new WordHashEmbeddingGenerator().GenerateAsync(["red car"], cancellationToken: TestContext.Current.CancellationToken))[0].Vector, "word-hash-64", new MemoryFilter { Tenant = "globex" }, 5, TestContext.Current.CancellationToken);
        Assert.Equal(mine.Id, Assert.Single(hits).Memory.Id);
    }

    [Fact]
    public async Task A_vector_whose_largest_component_is_negative_keeps_its_direction()
    {
        // int8 storage scales by the largest magnitude; a negative one must not zero the vector.
        var service = new MemoryService(_store);
        var memory = (await AddAsync(service, "any text")).Results[0].Memory;
        float[] vector = [-0.9f, 0.3f, 0.1f, -0.2f, 0.05f];
        await _store.SetEmbeddingAsync(memory.Id, "m", vector, TestContext.Current.CancellationToken);

        var hit = Assert.Single(await _store.SearchVectorAsync(vector, "m", new MemoryFilter(), 5, TestContext.Current.CancellationToken));
        Assert.True(hit.Similarity > 0.999, $"similarity {hit.Similarity}");
    }
}
