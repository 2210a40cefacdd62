using System.Numerics.Tensors;
using Engram.Core;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

namespace Engram.Embeddings.Local;

/// <summary>
/// A BERT-style sentence-embedding model run in-process by ONNX Runtime: WordPiece tokens in, one
/// L2-normalised vector per text out. Thread-safe; load once per process (about 1 s and 150 MB).
/// </summary>
public sealed class LocalEmbeddingModel : IDisposable
{
    private const int BatchSize = 16;

    private readonly InferenceSession _session;
    private readonly BertTokenizer _tokenizer;
    private readonly bool _wantsTokenTypes;
    private readonly string _outputName;

    private LocalEmbeddingModel(LocalModelSpec spec, string folder, InferenceSession session, BertTokenizer tokenizer)
    {
        Spec = spec;
        Folder = folder;
        _session = session;
        _tokenizer = tokenizer;
        _wantsTokenTypes = session.InputMetadata.ContainsKey("token_type_ids");
        _outputName = session.OutputMetadata.ContainsKey("last_hidden_state") ? "last_hidden_state" : session.OutputNames[0];
        Dimensions = session.OutputMetadata[_outputName].Dimensions[^1];
    }

    public LocalModelSpec Spec { get; }
    public string Folder { get; }
    public int Dimensions { get; }

    /// <summary>
    /// Loads model.onnx and vocab.txt from <paramref name="folder"/> (the shipped copy when null). Any
    /// failure (missing, truncated or foreign file) becomes an <see cref="EngramException"/> naming the file.
    /// </summary>
    public static LocalEmbeddingModel Load(LocalModelSpec spec, string? folder = null, int? threads = null)
    {
        folder ??= spec.DefaultFolder;
        var modelPath = Path.Combine(folder, "model.onnx");
        var vocabPath = Path.Combine(folder, "vocab.txt");
        foreach (var file in new[] { modelPath, vocabPath })
        {
            if (!File.Exists(file)) throw new EngramException($"the local embedding model is missing: {file} does not exist (reinstall Engram, or set Embeddings:ModelPath to a folder with model.onnx and vocab.txt)");
        }

        BertTokenizer tokenizer;
        try
        {
            tokenizer = BertTokenizer.Create(vocabPath, new BertOptions { LowerCaseBeforeTokenization = true });
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException or FormatException)
        {
            throw new EngramException($"the local embedding vocabulary {vocabPath} cannot be read: {ex.Message}", ex);
        }

        var options = new SessionOptions
        {
            // A 2-core laptop also runs the agent: one thread by default, more only where cores are plenty.
            IntraOpNumThreads = threads ?? Math.Clamp(Environment.ProcessorCount / 2, 1, 4),
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try
        {
            var session = new InferenceSession(modelPath, options);
            if (!session.InputMetadata.ContainsKey("input_ids") || !session.InputMetadata.ContainsKey("attention_mask"))
            {
                session.Dispose();
                throw new EngramException($"{modelPath} is not a sentence-embedding model (it has no input_ids/attention_mask inputs)");
            }
            return new LocalEmbeddingModel(spec, folder, session, tokenizer);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new EngramException($"the local embedding model {modelPath} cannot be loaded (corrupt or incomplete file?): {ex.Message}", ex);
        }
        finally
        {
            options.Dispose();
        }
    }

    /// <summary>One vector per text, in order. Queries get the model's query prefix.</summary>
    public float[][] Embed(IReadOnlyList<string> texts, bool query, CancellationToken cancellationToken = default)
    {
        var tokens = new int[texts.Count][];
        for (var i = 0; i < texts.Count; i++) tokens[i] = Tokenize(query ? Spec.QueryPrefix + texts[i] : texts[i]);

        // Similar lengths share a batch, so little padding is computed.
        var order = Enumerable.Range(0, texts.Count).OrderBy(i => tokens[i].Length).ToArray();
        var vectors = new float[texts.Count][];
        for (var start = 0; start < order.Length; start += BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = order.AsSpan(start, Math.Min(BatchSize, order.Length - start)).ToArray();
            var result = Run(batch.Select(i => tokens[i]).ToArray());
            for (var j = 0; j < batch.Length; j++) vectors[batch[j]] = result[j];
        }
        return vectors;
    }

    private int[] Tokenize(string text)
    {
        var ids = _tokenizer.EncodeToIds(text, Spec.MaxTokens - 2, addSpecialTokens: false, out _, out _);
        var all = new int[ids.Count + 2];
        all[0] = _tokenizer.ClassificationTokenId;
        for (var i = 0; i < ids.Count; i++) all[i + 1] = ids[i];
        all[^1] = _tokenizer.SeparatorTokenId;
        return all;
    }

    private float[][] Run(int[][] batch)
    {
        var length = batch.Max(t => t.Length);
        var ids = new long[batch.Length * length];
        var mask = new long[batch.Length * length];
        for (var b = 0; b < batch.Length; b++)
        {
            for (var t = 0; t < batch[b].Length; t++)
            {
                ids[b * length + t] = batch[b][t];
                mask[b * length + t] = 1;
            }
        }
        long[] shape = [batch.Length, length];
        var names = new List<string> { "input_ids", "attention_mask" };
        var inputs = new List<OrtValue>
        {
            OrtValue.CreateTensorValueFromMemory(ids, shape),
            OrtValue.CreateTensorValueFromMemory(mask, shape),
        };
        if (_wantsTokenTypes)
        {
            names.Add("token_type_ids");
            inputs.Add(OrtValue.CreateTensorValueFromMemory(new long[ids.Length], shape));
        }
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = _session.Run(runOptions, names, inputs, [_outputName]);
            var states = outputs[0].GetTensorDataAsSpan<float>();
            var result = new float[batch.Length][];
            for (var b = 0; b < batch.Length; b++)
            {
                result[b] = Pool(states.Slice(b * length * Dimensions, length * Dimensions), batch[b].Length);
            }
            return result;
        }
        finally
        {
            foreach (var input in inputs) input.Dispose();
        }
    }

    private float[] Pool(ReadOnlySpan<float> states, int realTokens)
    {
        var vector = new float[Dimensions];
        if (Spec.Pooling == Pooling.Cls)
        {
            states[..Dimensions].CopyTo(vector);
        }
        else
        {
            for (var t = 0; t < realTokens; t++) TensorPrimitives.Add(vector, states.Slice(t * Dimensions, Dimensions), vector);
            TensorPrimitives.Divide(vector, realTokens, vector);
        }
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0) TensorPrimitives.Divide(vector, norm, vector);
        return vector;
    }

    public void Dispose() => _session.Dispose();
}
