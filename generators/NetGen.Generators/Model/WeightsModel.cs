using System;

namespace NetGen.Generators.Model;

/// <summary>
/// The <c>Weights</c> argument of a <c>[Network]</c>: the file name as written, where it is written (for the
/// diagnostics about it), and the network's name (for their messages).
/// </summary>
internal sealed record WeightsRequest(string Name, LocationInfo? Location, string NetworkName);

/// <summary>A tensor of a safetensors header, validated: its byte range lies in the data buffer and fits its shape.</summary>
/// <param name="Name">The key, e.g. <c>conv1.weight</c>.</param>
/// <param name="DType">The dtype as written (<c>F32</c>, <c>F64</c>, <c>F16</c>, <c>BF16</c> or <c>I64</c>).</param>
/// <param name="Shape">The dimensions, outermost first (empty for a scalar).</param>
/// <param name="Begin">First byte in the data buffer.</param>
/// <param name="End">One past the last byte in the data buffer.</param>
internal sealed record SafetensorsEntry(string Name, string DType, EquatableArray<int> Shape, int Begin, int End);

/// <summary>
/// An additional file a network asked for, read as safetensors: its tensors and data, or why it cannot be used.
/// The SHA-256 of the whole file is what users compare with <c>sha256sum</c>.
/// </summary>
/// <param name="Path">The additional file's path as the compiler gave it.</param>
/// <param name="Error">Null when the file is a well-formed safetensors file; otherwise what is wrong with it.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file's bytes (empty when it could not be read).</param>
/// <param name="Tensors">The header's tensors in header order (empty when <paramref name="Error"/> is set).</param>
/// <param name="Data">The data buffer: the bytes after the header.</param>
internal sealed record WeightsFile(string Path, string? Error, string Sha256, EquatableArray<SafetensorsEntry> Tensors, EquatableBytes Data);

/// <summary>
/// Weights baked into a network: every parameter and buffer as F32 values (in the compiler's byte order; the
/// emitter reads them back as floats), in the layout of the network's <c>Parameters</c> and <c>Buffers</c>.
/// </summary>
/// <param name="FileName">The name given in <c>Weights</c>, for comments.</param>
/// <param name="Sha256">SHA-256 of the file the weights were read from.</param>
/// <param name="Parameters">4 × ParameterCount bytes.</param>
/// <param name="Buffers">4 × BufferCount bytes (empty without BatchNorm).</param>
internal sealed record BakedWeights(string FileName, string Sha256, EquatableBytes Parameters, EquatableBytes Buffers);

/// <summary>
/// A byte array compared by value, with its hash computed once: the pipeline compares weight files of hundreds of
/// kilobytes on every run, so equality must cost one hash check and, only when the hashes agree, one memory compare.
/// </summary>
internal readonly struct EquatableBytes : IEquatable<EquatableBytes>
{
    private readonly byte[]? _bytes;
    private readonly int _hash;

    public EquatableBytes(byte[] bytes)
    {
        _bytes = bytes;

        // FNV-1a: cheap, and good enough to tell files apart before the full compare.
        uint hash = 2166136261;
        foreach (byte b in bytes)
        {
            hash = unchecked((hash ^ b) * 16777619);
        }

        _hash = unchecked((int)hash);
    }

    public static EquatableBytes Empty => new(Array.Empty<byte>());

    public int Length => _bytes?.Length ?? 0;

    public ReadOnlySpan<byte> AsSpan() => _bytes ?? Array.Empty<byte>();

    public bool Equals(EquatableBytes other) =>
        _hash == other._hash && Length == other.Length && AsSpan().SequenceEqual(other.AsSpan());

    public override bool Equals(object? obj) => obj is EquatableBytes other && Equals(other);

    public override int GetHashCode() => _hash;

    public static bool operator ==(EquatableBytes left, EquatableBytes right) => left.Equals(right);

    public static bool operator !=(EquatableBytes left, EquatableBytes right) => !left.Equals(right);
}
