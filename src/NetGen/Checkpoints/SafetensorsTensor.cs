using System;
using System.Collections.Generic;

namespace NetGen;

/// <summary>
/// One named tensor of a safetensors file: its dtype, shape and values. Floating-point tensors (whatever their
/// dtype in the file) hold their values in <see cref="Data"/>; <see cref="SafetensorsDType.I64"/> tensors hold
/// theirs in <see cref="Int64Data"/>.
/// </summary>
public sealed class SafetensorsTensor
{
    private SafetensorsTensor(string name, SafetensorsDType dtype, int[] shape, float[] data, long[]? int64Data)
    {
        Name = name;
        DType = dtype;
        Shape = Array.AsReadOnly(shape);
        Data = data;
        Int64Data = int64Data;
    }

    /// <summary>The tensor's name: a PyTorch state-dict key such as <c>conv1.weight</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// The element type: as stored in the file for a tensor that was read, <see cref="SafetensorsDType.F32"/> or
    /// <see cref="SafetensorsDType.I64"/> for one made by <see cref="F32"/> or <see cref="I64"/>.
    /// </summary>
    public SafetensorsDType DType { get; }

    /// <summary>Dimensions, outermost first; empty for a scalar.</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>
    /// The values, row-major, converted to <see cref="float"/> for every floating-point dtype; empty for an
    /// <see cref="SafetensorsDType.I64"/> tensor. The array is the tensor's own storage, not a copy.
    /// </summary>
    public float[] Data { get; }

    /// <summary>The values of an <see cref="SafetensorsDType.I64"/> tensor, row-major; null for floating-point tensors.</summary>
    public long[]? Int64Data { get; }

    /// <summary>Number of elements: the product of <see cref="Shape"/> (1 for a scalar).</summary>
    public int ElementCount => Int64Data?.Length ?? Data.Length;

    /// <summary>True when <see cref="DType"/> is a floating-point type, whose values are in <see cref="Data"/>.</summary>
    public bool IsFloat => SafetensorsDTypes.IsFloat(DType);

    /// <summary>Creates an F32 tensor that uses <paramref name="data"/> as its storage (no copy).</summary>
    /// <param name="name">The tensor's name.</param>
    /// <param name="shape">Dimensions, outermost first; empty for a scalar.</param>
    /// <param name="data">The values, row-major: exactly the product of <paramref name="shape"/> floats.</param>
    /// <exception cref="ArgumentException">A dimension is negative, or the length of <paramref name="data"/> is not the product of the shape.</exception>
    public static SafetensorsTensor F32(string name, IReadOnlyList<int> shape, float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int[] dims = CheckShape(name, shape, data.Length);
        return new SafetensorsTensor(name, SafetensorsDType.F32, dims, data, null);
    }

    /// <summary>Creates an I64 tensor that uses <paramref name="data"/> as its storage (no copy).</summary>
    /// <param name="name">The tensor's name.</param>
    /// <param name="shape">Dimensions, outermost first; empty for a scalar.</param>
    /// <param name="data">The values, row-major: exactly the product of <paramref name="shape"/> longs.</param>
    /// <exception cref="ArgumentException">A dimension is negative, or the length of <paramref name="data"/> is not the product of the shape.</exception>
    public static SafetensorsTensor I64(string name, IReadOnlyList<int> shape, long[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int[] dims = CheckShape(name, shape, data.Length);
        return new SafetensorsTensor(name, SafetensorsDType.I64, dims, [], data);
    }

    /// <summary>A tensor the reader has decoded; the reader has already checked shape against data.</summary>
    internal static SafetensorsTensor FromFile(string name, SafetensorsDType dtype, int[] shape, float[] data, long[]? int64Data) =>
        new(name, dtype, shape, data, int64Data);

    /// <summary>The name, dtype and shape, e.g. <c>conv1.weight (F32 [6, 1, 5, 5])</c>.</summary>
    public override string ToString() =>
        $"{Name} ({SafetensorsDTypes.Name(DType)} {SafetensorsDTypes.FormatShape(Shape)})";

    private static int[] CheckShape(string name, IReadOnlyList<int> shape, int length)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        int[] dims = [.. shape];
        long count = 1;
        foreach (int d in dims)
        {
            if (d < 0)
            {
                throw new ArgumentException(
                    $"Tensor '{name}' has shape {SafetensorsDTypes.FormatShape(dims)}; expected no negative dimension.", nameof(shape));
            }

            count = Math.Min(count * d, (long)int.MaxValue + 1); // saturate: only equality with an int length matters
        }

        if (count != length)
        {
            throw new ArgumentException(
                $"Tensor '{name}' has shape {SafetensorsDTypes.FormatShape(dims)} ({count} elements) but {length} values; expected one value per element.",
                nameof(shape));
        }

        return dims;
    }
}
