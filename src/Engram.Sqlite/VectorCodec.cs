using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Engram.Sqlite;

/// <summary>
/// How vectors are stored: int8 with one scale per vector (a 4-byte float, then one signed byte per
/// dimension: 388 bytes for 384 dimensions instead of 1,536). Cosine is computed on the codes, where the
/// scale cancels; measured on LoCoMo and the recall set it changes no ranking that matters. Blobs written
/// before (plain float32, 4 bytes a dimension) are still read.
/// </summary>
internal static class VectorCodec
{
    public static byte[] Encode(ReadOnlySpan<float> vector)
    {
        var blob = new byte[4 + vector.Length];
        // MaxMagnitude returns the element itself, sign included.
        var max = vector.Length == 0 ? 0 : MathF.Abs(TensorPrimitives.MaxMagnitude(vector));
        var scale = max > 0 && float.IsFinite(max) ? max / 127f : 0f;
        BinaryPrimitives.WriteSingleLittleEndian(blob, scale);
        var codes = MemoryMarshal.Cast<byte, sbyte>(blob.AsSpan(4));
        for (var i = 0; i < vector.Length; i++)
        {
            codes[i] = scale == 0 ? (sbyte)0 : (sbyte)Math.Clamp(MathF.Round(vector[i] / scale), -127, 127);
        }
        return blob;
    }

    /// <summary>The int8 codes of a stored blob (quantising a legacy float blob on the way); false when the size fits neither form.</summary>
    public static bool TryCodes(ReadOnlySpan<byte> blob, int dims, Span<sbyte> codes)
    {
        if (blob.Length == 4 + dims)
        {
            MemoryMarshal.Cast<byte, sbyte>(blob[4..]).CopyTo(codes);
            return true;
        }
        if (blob.Length == 4 * dims)
        {
            var encoded = Encode(MemoryMarshal.Cast<byte, float>(blob));
            MemoryMarshal.Cast<byte, sbyte>(encoded.AsSpan(4)).CopyTo(codes);
            return true;
        }
        return false;
    }

    /// <summary>The dot product of two code vectors, exact in 32-bit integers (int8 products fit in 16 bits).</summary>
    public static int Dot(ReadOnlySpan<sbyte> a, ReadOnlySpan<sbyte> b)
    {
        var i = 0;
        var sum = 0;
        if (Vector256.IsHardwareAccelerated && a.Length >= 32)
        {
            var acc = Vector256<int>.Zero;
            for (; i + 32 <= a.Length; i += 32)
            {
                var (alo, ahi) = Vector256.Widen(Vector256.Create(a.Slice(i, 32)));
                var (blo, bhi) = Vector256.Widen(Vector256.Create(b.Slice(i, 32)));
                var (p0, p1) = Vector256.Widen(alo * blo);
                var (p2, p3) = Vector256.Widen(ahi * bhi);
                acc += p0 + p1 + p2 + p3;
            }
            sum = Vector256.Sum(acc);
        }
        for (; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    public static float Norm(ReadOnlySpan<sbyte> codes) => MathF.Sqrt(Dot(codes, codes));

    /// <summary>One bit per dimension, set where the code is positive: the vector's orthant, for a first pass by popcount.</summary>
    public static void SignBits(ReadOnlySpan<sbyte> codes, Span<ulong> bits)
    {
        bits.Clear();
        for (var i = 0; i < codes.Length; i++)
        {
            if (codes[i] > 0) bits[i >> 6] |= 1UL << (i & 63);
        }
    }

    /// <summary>How many sign bits differ: fewer means a smaller angle, roughly.</summary>
    public static int Hamming(ReadOnlySpan<ulong> a, ReadOnlySpan<ulong> b)
    {
        var differ = 0;
        for (var i = 0; i < a.Length; i++) differ += System.Numerics.BitOperations.PopCount(a[i] ^ b[i]);
        return differ;
    }
}
