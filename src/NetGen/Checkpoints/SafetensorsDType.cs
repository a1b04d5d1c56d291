using System;

namespace NetGen;

/// <summary>
/// The element types NetGen reads from safetensors files. Floating-point tensors are converted to
/// <see cref="float"/> on reading; <see cref="I64"/> tensors (such as PyTorch BatchNorm's
/// <c>num_batches_tracked</c>) are kept as <see cref="long"/>.
/// </summary>
public enum SafetensorsDType
{
    /// <summary>32-bit IEEE float (<c>"F32"</c>), the type NetGen computes and writes in.</summary>
    F32,

    /// <summary>64-bit IEEE float (<c>"F64"</c>), rounded to the nearest <see cref="float"/> on reading.</summary>
    F64,

    /// <summary>16-bit IEEE half float (<c>"F16"</c>), converted exactly to <see cref="float"/> on reading.</summary>
    F16,

    /// <summary>bfloat16 (<c>"BF16"</c>): the upper 16 bits of a <see cref="float"/>, converted exactly on reading.</summary>
    BF16,

    /// <summary>64-bit signed integer (<c>"I64"</c>), kept as <see cref="long"/>.</summary>
    I64,
}

/// <summary>Sizes and header names of <see cref="SafetensorsDType"/> values.</summary>
internal static class SafetensorsDTypes
{
    /// <summary>The header names of the supported types, for messages.</summary>
    public const string SupportedNames = "F32, F64, F16, BF16, I64";

    /// <summary>Bytes per element.</summary>
    public static int Size(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 => 4,
        SafetensorsDType.F64 => 8,
        SafetensorsDType.F16 => 2,
        SafetensorsDType.BF16 => 2,
        SafetensorsDType.I64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a safetensors dtype NetGen supports."),
    };

    /// <summary>The name written in the header (<c>"F32"</c>, <c>"BF16"</c>, …).</summary>
    public static string Name(SafetensorsDType dtype) => dtype switch
    {
        SafetensorsDType.F32 => "F32",
        SafetensorsDType.F64 => "F64",
        SafetensorsDType.F16 => "F16",
        SafetensorsDType.BF16 => "BF16",
        SafetensorsDType.I64 => "I64",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a safetensors dtype NetGen supports."),
    };

    /// <summary>Parses a header name; the match is exact (the format's names are upper case).</summary>
    public static bool TryParse(string name, out SafetensorsDType dtype)
    {
        switch (name)
        {
            case "F32": dtype = SafetensorsDType.F32; return true;
            case "F64": dtype = SafetensorsDType.F64; return true;
            case "F16": dtype = SafetensorsDType.F16; return true;
            case "BF16": dtype = SafetensorsDType.BF16; return true;
            case "I64": dtype = SafetensorsDType.I64; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>True for the floating-point types (read into <see cref="SafetensorsTensor.Data"/>).</summary>
    public static bool IsFloat(SafetensorsDType dtype) => dtype != SafetensorsDType.I64;

    /// <summary>Formats a shape as PyTorch prints it in messages: <c>[10, 84]</c>, <c>[]</c> for a scalar.</summary>
    public static string FormatShape(System.Collections.Generic.IReadOnlyList<int> shape) => "[" + string.Join(", ", shape) + "]";
}
