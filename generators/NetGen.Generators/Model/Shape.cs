using System.Globalization;

namespace NetGen.Generators.Model;

/// <summary>The shape of one sample between layers: flat [C] (H = W = 1, IsFlat) or spatial [C, H, W].</summary>
internal readonly record struct Shape(int C, int H, int W, bool IsFlat)
{
    public static Shape Flat(int n) => new(n, 1, 1, true);

    public static Shape Spatial(int c, int h, int w) => new(c, h, w, false);

    /// <summary>Floats in one sample. Shapes that reach the emitters are bounded by ShapeInference.MaxFloats.</summary>
    public int Size => (int)LongSize;

    /// <summary>Floats in one sample, without overflow (for the size checks).</summary>
    public long LongSize => (long)C * H * W;

    /// <summary>Written as in comments and tables: <c>6×28×28</c> or <c>120</c>.</summary>
    public override string ToString() => IsFlat
        ? C.ToString(CultureInfo.InvariantCulture)
        : string.Format(CultureInfo.InvariantCulture, "{0}×{1}×{2}", C, H, W);

    /// <summary>As a C# collection expression of dimensions: <c>[6, 28, 28]</c>.</summary>
    public string ToDimensionList() => IsFlat
        ? string.Format(CultureInfo.InvariantCulture, "[{0}]", C)
        : string.Format(CultureInfo.InvariantCulture, "[{0}, {1}, {2}]", C, H, W);
}
