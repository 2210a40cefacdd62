using Engram.Embeddings.Local;

namespace Engram.Embeddings.Tests;

/// <summary>One loaded model for the whole test run: loading costs a second or two.</summary>
public sealed class SharedModel : IDisposable
{
    public LocalEmbeddingModel Model { get; } = LocalEmbeddingModel.Load(LocalModelSpec.ArcticXs);

    public void Dispose() => Model.Dispose();
}

[CollectionDefinition(Name)]
public sealed class ModelCollection : ICollectionFixture<SharedModel>
{
    public const string Name = "model";
}
