using Microsoft.Extensions.Logging.Testing;
using Engram.Core;
using Engram.Core.Model;
using Engram.Core.Services;
using Engram.Sqlite;
using Engram.Testing;
using Microsoft.Extensions.AI;

namespace Engram.Providers.Tests;

public sealed class OpenAiCompatibleEmbeddingsTests : IAsyncDisposable
{
    private readonly FakeOpenAiServer _server = new();
    private readonly TempFolder _folder = new();
    private readonly InstantTimeProvider _time = new();

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _folder.Dispose();
    }

    private IEmbeddingGenerator<string, Embedding<float>> Generator(int attempts = 4) =>
        OpenAiCompatible.Embeddings(new Uri(_server.BaseUrl), "text-embedding-3-small", "sk-test-key", dimensions: 64, maxAttempts: attempts, time: _time);

    [Fact]
    public async Task Sends_a_well_formed_request_and_reads_the_vectors_in_order()
    {
        using var generator = Generator();
        var result = await generator.GenerateAsync(["a red car", "a sleepy cat"], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(2, result.Count);
        Assert.Equal(64, result[0].Vector.Length);
        Assert.Equal(14, result.Usage?.InputTokenCount);
        var (path, authorization, body) = Assert.Single(_server.Requests);
        Assert.Equal("/v1/embeddings", path);
        Assert.Equal("Bearer sk-test-key", authorization);
        Assert.Equal("text-embedding-3-small", body!["model"]!.GetValue<string>());
        Assert.Equal(["a red car", "a sleepy cat"], body["input"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(64, body["dimensions"]!.GetValue<int>());
        Assert.Equal("text-embedding-3-small", generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelId);
    }

    [Fact]
    public async Task Retries_429_and_5xx_then_succeeds()
    {
        _server.Failures.Enqueue(429);
        _server.Failures.Enqueue(503);
        using var generator = Generator();
        var result = await generator.GenerateAsync(["hello"], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Single(result);
        Assert.Equal(3, _server.Requests.Count);
        Assert.Equal(2, _time.Waits.Count); // two backoffs, waited on the test's clock, not slept
    }

    [Fact]
    public async Task A_keyless_endpoint_gets_no_authorization_header()
    {
        using var generator = OpenAiCompatible.Embeddings(new Uri(_server.BaseUrl), "nomic-embed-text", apiKey: null, time: _time);
        var result = await generator.GenerateAsync(["local models need no key"], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Single(result);
        Assert.Null(Assert.Single(_server.Requests).Authorization);
    }

    [Theory]
    [InlineData(500, "answered 500 after 2 attempt(s)")]
    [InlineData(401, "check Embeddings:ApiKey")]
    [InlineData(404, "check Embeddings:BaseUrl")]
    [InlineData(0, "not an OpenAI-compatible response")]
    public async Task Gives_up_with_an_error_that_names_the_endpoint(int status, string expected)
    {
        _server.AlwaysFail = status;
        using var generator = Generator(attempts: 2);
        var error = await Assert.ThrowsAsync<EngramException>(() => generator.GenerateAsync(["hello"], cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains(_server.BaseUrl, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_that_is_not_there_is_named_with_the_setting_to_check()
    {
        using var generator = OpenAiCompatible.Embeddings(new Uri("http://127.0.0.1:9/v1"), "m", maxAttempts: 2, time: _time);
        var error = await Assert.ThrowsAsync<EngramException>(() => generator.GenerateAsync(["hello"], cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("http://127.0.0.1:9/v1/embeddings is unreachable", error.Message, StringComparison.Ordinal);
        Assert.Contains("check Embeddings:BaseUrl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_dense_signal_joins_the_fusion_and_a_down_provider_only_costs_the_vectors()
    {
        await using var store = new SqliteMemoryStore(_folder.File("engram.db"));
        using var generator = Generator(attempts: 1);
        var log = new FakeLogger<MemoryService>();
        var service = new MemoryService(store, embeddings: generator, logger: log);
        await service.AddAsync(new AddMemoryRequest { Content = "Bob repaired the bicycle" }, TestContext.Current.CancellationToken);
        var car = (await service.AddAsync(new AddMemoryRequest { Content = "Alice bought a red car last spring" }, TestContext.Current.CancellationToken)).Results[0].Memory;

        var hits = await service.SearchAsync(new SearchRequest { Query = "automobile purchase" }, TestContext.Current.CancellationToken);
        Assert.Equal(car.Id, hits[0].Memory.Id);
        Assert.Contains("vector #1", hits[0].Explanation, StringComparison.Ordinal);

        _server.AlwaysFail = 500;
        var kept = await service.AddAsync(new AddMemoryRequest { Content = "The cat sleeps on the sofa" }, TestContext.Current.CancellationToken);
        Assert.Equal(AddOutcome.Added, kept.Results[0].Outcome);
        Assert.Contains("answered 500", log.LatestRecord.Message, StringComparison.Ordinal);
        var textOnly = await service.SearchAsync(new SearchRequest { Query = "cat sofa" }, TestContext.Current.CancellationToken);
        Assert.Equal(kept.Results[0].Memory.Id, textOnly[0].Memory.Id);
        Assert.DoesNotContain("vector", textOnly[0].Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stored_vectors_of_another_size_are_skipped_not_a_crash()
    {
        await using var store = new SqliteMemoryStore(_folder.File("mixed.db"));
        using var generator = Generator();
        var service = new MemoryService(store, embeddings: generator);
        var memory = (await service.AddAsync(new AddMemoryRequest { Content = "Alice bought a red car" }, TestContext.Current.CancellationToken)).Results[0].Memory;
        await store.SetEmbeddingAsync(memory.Id, "text-embedding-3-small", new float[3] { 1, 0, 0 }, TestContext.Current.CancellationToken);
        var hits = await service.SearchAsync(new SearchRequest { Query = "red car" }, TestContext.Current.CancellationToken);
        Assert.Equal(memory.Id, Assert.Single(hits).Memory.Id);
        // The stored vector of another size is not read: lacking one of this size, the hit is embedded for the search.
        Assert.Contains("vector #1", hits[0].Explanation, StringComparison.Ordinal);
        Assert.Equal([memory.Id], await store.WithoutVectorsAsync([memory.Id], "text-embedding-3-small", 64, TestContext.Current.CancellationToken));
    }
}
