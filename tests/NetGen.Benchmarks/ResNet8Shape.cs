using System.Collections.Generic;
using System.Linq;

namespace NetGen.Benchmarks;

/// <summary>
/// The ResNet-8 both sides run (samples/ResNet's, convolutions without bias), and its floating-point work from the
/// layer shapes: stem Conv2d(1→16, 3×3, pad 1) + BatchNorm + ReLU; basic blocks of 16 (identity shortcut), 32 and
/// 64 channels (stride 2, 1×1 stride-2 projection + BatchNorm), each two 3×3 convolutions with BatchNorm, ReLU
/// after the first and after the add; global average pooling; Linear(64→10).
/// </summary>
internal static class ResNet8Shape
{
    /// <summary>The weighted layers in order (BatchNorm, ReLU, the adds and pooling are left out: ~2 % of the work).</summary>
    public static IReadOnlyList<LeNet5Shape.WeightedLayer> Layers { get; } = Build();

    /// <summary>FLOPs of one forward pass: 2 × 9,345,920 multiply-adds ≈ 18.7 MFLOP.</summary>
    public static long ForwardFlopsPerImage => Layers.Sum(l => 2 * l.MultiplyAdds);

    /// <summary>FLOPs of one training step per image: 3 × forward − the stem's forward (it needs no input gradient) ≈ 55.8 MFLOP.</summary>
    public static long TrainingFlopsPerImage => Layers.Sum(l => 2 * l.MultiplyAdds * (l.NeedsInputGradient ? 3 : 2));

    private static List<LeNet5Shape.WeightedLayer> Build()
    {
        var layers = new List<LeNet5Shape.WeightedLayer>();

        // Conv2d(in→out, k×k, stride s) on a size×size input with "same" padding: out × (size/s)² outputs, each in × k².
        void Conv(string name, int inChannels, int outChannels, int kernel, int size, int stride) =>
            layers.Add(new LeNet5Shape.WeightedLayer(name, (long)outChannels * (size / stride) * (size / stride) * inChannels * kernel * kernel, layers.Count > 0));

        Conv("conv1", 1, 16, 3, 28, 1);          // 112,896
        Conv("b1_conv1", 16, 16, 3, 28, 1);      // 1,806,336
        Conv("b1_conv2", 16, 16, 3, 28, 1);      // 1,806,336
        Conv("b2_conv1", 16, 32, 3, 28, 2);      // 903,168
        Conv("b2_conv2", 32, 32, 3, 14, 1);      // 1,806,336
        Conv("b2_down", 16, 32, 1, 28, 2);       // 100,352
        Conv("b3_conv1", 32, 64, 3, 14, 2);      // 903,168
        Conv("b3_conv2", 64, 64, 3, 7, 1);       // 1,806,336
        Conv("b3_down", 32, 64, 1, 14, 2);       // 100,352
        layers.Add(new LeNet5Shape.WeightedLayer("fc", 64 * 10, true)); // 640
        return layers;
    }
}
