using System.Globalization;

namespace NetGen.Generators.Model;

/// <summary>
/// The shape of one sample between layers: flat [C] (H = W = 1, IsFlat), spatial [C, H, W], or a sequence [T, F]
/// (<see cref="IsSequence"/>: C = T steps of H = F features, W = 1, laid out step after step). A sequence is
/// <see cref="Masked"/> when it comes from an <c>[Embedding(MaskZero = true)]</c>: steps whose token id is 0 are padding.
/// </summary>
internal readonly record struct Shape(int C, int H, int W, bool IsFlat, bool IsSequence = false, bool Masked = false)
{
    public static Shape Flat(int n) => new(n, 1, 1, true);

    public static Shape Spatial(int c, int h, int w) => new(c, h, w, false);

    /// <summary>A sequence of <paramref name="steps"/> vectors of <paramref name="features"/> floats.</summary>
    public static Shape Sequence(int steps, int features, bool masked) => new(steps, features, 1, false, IsSequence: true, Masked: masked);

    /// <summary>Steps of a sequence.</summary>
    public int Steps => C;

    /// <summary>Floats per step of a sequence.</summary>
    public int Features => H;

    /// <summary>Whether the shape is [C, H, W] (neither flat nor a sequence).</summary>
    public bool IsSpatial => !IsFlat && !IsSequence;

    /// <summary>Floats in one sample. Shapes that reach the emitters are bounded by ShapeInference.MaxFloats.</summary>
    public int Size => (int)LongSize;

    /// <summary>Floats in one sample, without overflow (for the size checks).</summary>
    public long LongSize => (long)C * H * W;

    /// <summary>Written as in comments and tables: <c>6×28×28</c> or <c>120</c>.</summary>
    public override string ToString() => IsFlat
        ? C.ToString(CultureInfo.InvariantCulture)
        : IsSequence ? string.Format(CultureInfo.InvariantCulture, "{0} steps × {1}", C, H)
        : string.Format(CultureInfo.InvariantCulture, "{0}×{1}×{2}", C, H, W);

    /// <summary>As a C# collection expression of dimensions: <c>[6, 28, 28]</c>.</summary>
    public string ToDimensionList() => IsFlat
        ? string.Format(CultureInfo.InvariantCulture, "[{0}]", C)
        : IsSequence ? string.Format(CultureInfo.InvariantCulture, "[{0}, {1}]", C, H)
        : string.Format(CultureInfo.InvariantCulture, "[{0}, {1}, {2}]", C, H, W);
}
