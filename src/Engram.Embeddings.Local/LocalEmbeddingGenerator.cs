using Engram.Core;
using Engram.Core.Search;
using Microsoft.Extensions.AI;

namespace Engram.Embeddings.Local;

/// <summary>
/// The built-in, offline embedding provider (<c>Embeddings:Provider=local</c>). The model loads on first
/// use, not at construction, so a command that never embeds never pays for it; a load that failed is
/// remembered (and reported as <see cref="LoadError"/>) rather than retried on every call.
/// </summary>
public sealed class LocalEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly Lazy<LocalEmbeddingModel> _model;
    private readonly EmbeddingGeneratorMetadata _metadata;
    private readonly bool _ownsModel = true;

    public LocalEmbeddingGenerator(LocalModelSpec spec, string? folder = null, int? threads = null)
    {
        Spec = spec;
        Folder = folder ?? spec.DefaultFolder;
        _model = new Lazy<LocalEmbeddingModel>(() => LocalEmbeddingModel.Load(spec, Folder, threads), LazyThreadSafetyMode.ExecutionAndPublication);
        _metadata = new EmbeddingGeneratorMetadata("local", null, spec.Name, 384);
    }

    /// <summary>Wraps a model already loaded (tests share one across many generators).</summary>
    public LocalEmbeddingGenerator(LocalEmbeddingModel model)
    {
        Spec = model.Spec;
        Folder = model.Folder;
        _model = new Lazy<LocalEmbeddingModel>(model);
        _metadata = new EmbeddingGeneratorMetadata("local", null, model.Spec.Name, model.Dimensions);
        _ownsModel = false;
    }

    public LocalModelSpec Spec { get; }
    public string Folder { get; }

    /// <summary>True once the model is in memory.</summary>
    public bool IsLoaded => _model.IsValueCreated;

    /// <summary>Loads the model now if it is not loaded; null when it is usable, else why not.</summary>
    public string? LoadError
    {
        get
        {
            try
            {
                _ = _model.Value;
                return null;
            }
            catch (EngramException ex)
            {
                return ex.Message;
            }
        }
    }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var texts = values as IReadOnlyList<string> ?? values.ToList();
        var model = _model.Value;
        var vectors = model.Embed(texts, EmbeddingPurpose.IsQuery(options), cancellationToken);
        var result = new GeneratedEmbeddings<Embedding<float>>(vectors.Length);
        foreach (var vector in vectors) result.Add(new Embedding<float>(vector) { ModelId = Spec.Name });
        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : null;

    /// <summary>Disposes the model it loaded itself; a model it was given stays with whoever loaded it.</summary>
    public void Dispose()
    {
        if (_ownsModel && _model.IsValueCreated) _model.Value.Dispose();
    }
}
