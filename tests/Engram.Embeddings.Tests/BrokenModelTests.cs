using Microsoft.Extensions.Logging.Testing;
using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Sqlite;
using Engram.Embeddings.Local;
using Engram.Testing;

namespace Engram.Embeddings.Tests;

public sealed class BrokenModelTests
{
    [Fact]
    public async Task A_missing_model_is_reported_by_name_not_thrown_at_construction()
    {
        using var folder = new TempFolder();
        using var generator = new LocalEmbeddingGenerator(LocalModelSpec.ArcticXs, folder.Path);

        Assert.False(generator.IsLoaded);
        Assert.Contains("model.onnx does not exist", generator.LoadError, StringComparison.Ordinal);
        var ex = await Assert.ThrowsAsync<EngramException>(() => generator.GenerateAsync(["text"], cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("missing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_model_file_is_an_engram_error_naming_the_file()
    {
        using var folder = new TempFolder();
        var shipped = LocalModelSpec.ArcticXs.DefaultFolder;
        File.Copy(Path.Combine(shipped, "vocab.txt"), Path.Combine(folder.Path, "vocab.txt"));
        await using (var source = File.OpenRead(Path.Combine(shipped, "model.onnx")))
        await using (var target = File.Create(Path.Combine(folder.Path, "model.onnx")))
        {
            var head = new byte[100_000];
            var read = await source.ReadAsync(head, TestContext.Current.CancellationToken);
            await target.WriteAsync(head.AsMemory(0, read), TestContext.Current.CancellationToken);
        }
        using var generator = new LocalEmbeddingGenerator(LocalModelSpec.ArcticXs, folder.Path);

        var error = generator.LoadError;
        Assert.NotNull(error);
        Assert.Contains("cannot be loaded", error, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(folder.Path, "model.onnx"), error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Search_falls_back_to_words_when_the_model_cannot_load()
    {
        using var folder = new TempFolder();
        await using var store = new SqliteMemoryStore(folder.File("memory.db"));
        using var generator = new LocalEmbeddingGenerator(LocalModelSpec.ArcticXs, folder.File("no-model-here"));
        var log = new FakeLogger<MemoryService>();
        var service = new MemoryService(store, embeddings: generator, embedOnWrite: false, logger: log);
        var memory = (await service.AddAsync(new AddMemoryRequest { Content = "We hash passwords with argon2id" }, TestContext.Current.CancellationToken)).Results[0].Memory;
        // Vectors exist (made before the model file went missing), so the search does try the model.
        await store.SetEmbeddingAsync(memory.Id, "arctic-xs", new float[384], TestContext.Current.CancellationToken);

        var hits = await service.SearchAsync(new SearchRequest { Query = "argon2id passwords" }, TestContext.Current.CancellationToken);

        Assert.Equal(memory.Id, Assert.Single(hits).Memory.Id);
        Assert.DoesNotContain("vector", hits[0].Explanation, StringComparison.Ordinal);
        Assert.Contains("does not exist", Assert.Single(log.Collector.GetSnapshot()).Message, StringComparison.Ordinal);
        // The worker's pass fails the same way, without throwing, and says why.
        await service.AddAsync(new AddMemoryRequest { Content = "another memory" }, TestContext.Current.CancellationToken);
        var pass = await service.EmbedPendingAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(0, pass.Embedded);
        Assert.Contains("does not exist", pass.Error, StringComparison.Ordinal);
    }
}
