using System.Collections.Generic;
using System.Linq;

namespace NetGen.Benchmarks;

/// <summary>
/// The stride-2 CNN of issue 14, which every side runs with <c>--model strided</c>: input [1, 28, 28] →
/// Conv2d(1→16, 3×3, stride 2, pad 1) → ReLU → Conv2d(16→32, 3×3, stride 2, pad 1) → ReLU → Flatten(1,568) →
/// Linear(1,568→128) → ReLU → Linear(128→10). Downsampling by strided convolutions instead of pooling, as
/// ResNets do; its floating-point work from the layer shapes.
/// </summary>
internal static class StridedCnnShape
{
    /// <summary>The weighted layers in order (ReLU, bias and the loss are left out).</summary>
    public static IReadOnlyList<LeNet5Shape.WeightedLayer> Layers { get; } =
    [
        new("conv1", 16L * 14 * 14 * 1 * 3 * 3, false),   // 28,224
        new("conv2", 32L * 7 * 7 * 16 * 3 * 3, true),     // 225,792
        new("dense1", 1568L * 128, true),                 // 200,704
        new("dense2", 128L * 10, true),                   // 1,280
    ];

    /// <summary>FLOPs of one forward pass: 2 × 456,000 = 912,000 ≈ 0.91 MFLOP.</summary>
    public static long ForwardFlopsPerImage => Layers.Sum(l => 2 * l.MultiplyAdds);

    /// <summary>FLOPs of one training step per image: 3 × forward − conv1's forward ≈ 2.68 MFLOP.</summary>
    public static long TrainingFlopsPerImage => Layers.Sum(l => 2 * l.MultiplyAdds * (l.NeedsInputGradient ? 3 : 2));
}
