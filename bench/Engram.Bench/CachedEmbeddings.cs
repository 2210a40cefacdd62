using System.Security.Cryptography;
using System.Text;
using Engram.Core.Search;
using Microsoft.Extensions.AI;

namespace Engram.Bench;

/// <summary>
/// An embedding generator that remembers every vector it made, in memory and, with a folder, on disk (one
/// append-only file per model, keyed by a hash of purpose and text), so sweeps re-embed nothing between
/// runs. Keep the folder outside the repository: it holds vectors of evaluation data.
/// </summary>
public sealed class CachedEmbeddings : IEmbeddingGenerator<string, Embedding<float>>
{
    private const int KeyBytes = 32;
    private readonly IEmbeddingGenerator<string, Embedding<float>> _inner;
    private readonly Dictionary<string, float[]> _cache = new(StringComparer.Ordinal);
    private readonly FileStream? _file;

    public CachedEmbeddings(IEmbeddingGenerator<string, Embedding<float>> inner, string? folder)
    {
        _inner = inner;
        if (folder is null) return;
        Directory.CreateDirectory(folder);
        var model = inner.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId ?? "default";
        _file = new FileStream(Path.Combine(folder, $"{model}.vectors"), FileMode.OpenOrCreate, FileAccess.ReadWrite);
        Load(_file);
    }

    /// <summary>Texts embedded by the model in this process (the rest came from the cache).</summary>
    public int Embedded { get; private set; }

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var texts = values.ToList();
        var purpose = EmbeddingPurpose.IsQuery(options) ? "query" : "document";
        var keys = texts.Select(t => Key(purpose, t)).ToList();
        var missing = Enumerable.Range(0, texts.Count).Where(i => !_cache.ContainsKey(keys[i])).DistinctBy(i => keys[i]).ToList();
        if (missing.Count > 0)
        {
            var made = await _inner.GenerateAsync(missing.Select(i => texts[i]), options, cancellationToken);
            Embedded += missing.Count;
            for (var j = 0; j < missing.Count; j++)
            {
                var vector = made[j].Vector.ToArray();
                _cache[keys[missing[j]]] = vector;
                Append(keys[missing[j]], vector);
            }
            _file?.Flush();
        }
        return new GeneratedEmbeddings<Embedding<float>>(keys.Select(k => new Embedding<float>(_cache[k])));
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => _inner.GetService(serviceType, serviceKey);

    public void Dispose()
    {
        _file?.Dispose();
        _inner.Dispose();
    }

    private static string Key(string purpose, string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(purpose + "\n" + text)));

    // Records: 32-byte key, int32 dimensions, the floats. A record cut short by a crash is dropped.
    private void Load(FileStream file)
    {
        using var reader = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
        long good = 0;
        try
        {
            while (file.Position < file.Length)
            {
                var key = Convert.ToHexString(reader.ReadBytes(KeyBytes));
                var vector = new float[reader.ReadInt32()];
                for (var i = 0; i < vector.Length; i++) vector[i] = reader.ReadSingle();
                _cache[key] = vector;
                good = file.Position;
            }
        }
        catch (EndOfStreamException)
        {
        }
        file.SetLength(good);
        file.Position = good;
    }

    private void Append(string key, float[] vector)
    {
        if (_file is null) return;
        using var writer = new BinaryWriter(_file, Encoding.UTF8, leaveOpen: true);
        writer.Write(Convert.FromHexString(key));
        writer.Write(vector.Length);
        foreach (var value in vector) writer.Write(value);
    }
}
