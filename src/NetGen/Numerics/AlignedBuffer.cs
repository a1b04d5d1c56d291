using System;
using System.Runtime.CompilerServices;

namespace NetGen;

/// <summary>
/// A float buffer whose first element is 64-byte aligned (one cache line, one Vector512), backed by a pinned
/// array so spans over it never move. Zero-initialized.
/// </summary>
public sealed class AlignedBuffer
{
    private const int AlignmentBytes = 64;
    private readonly float[] _array;
    private readonly int _start;

    /// <summary>Allocates <paramref name="length"/> zeroed floats.</summary>
    public AlignedBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        _array = GC.AllocateArray<float>(length + (AlignmentBytes / sizeof(float)), pinned: true);
        unsafe
        {
            nuint address = (nuint)Unsafe.AsPointer(ref _array[0]);
            nuint misalignment = address % AlignmentBytes;
            _start = misalignment == 0 ? 0 : (int)((AlignmentBytes - misalignment) / sizeof(float));
        }
    }

    /// <summary>Number of floats.</summary>
    public int Length { get; }

    /// <summary>The whole buffer.</summary>
    public Span<float> Span => _array.AsSpan(_start, Length);

    /// <summary>The whole buffer as <see cref="Memory{T}"/>.</summary>
    public Memory<float> Memory => _array.AsMemory(_start, Length);
}
