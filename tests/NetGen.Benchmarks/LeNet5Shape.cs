using System.Collections.Generic;
using System.Linq;

namespace NetGen.Benchmarks;

/// <summary>
/// The LeNet-5 both sides run, and the floating-point work it takes, computed from its layer shapes:
/// input [1, 28, 28] → Conv2d(1→6, 5×5, pad 2) → ReLU → MaxPool 2 → Conv2d(6→16, 5×5) → ReLU → MaxPool 2 →
/// Flatten(400) → Linear(400→120) → ReLU → Linear(120→84) → ReLU → Linear(84→10).
/// </summary>
internal static class LeNet5Shape
{
    /// <summary>A layer with weights: how many multiply-adds one sample's forward pass does in it.</summary>
    /// <param name="Name">The layer name (NetGen's naming).</param>
    /// <param name="MultiplyAdds">Output elements × inputs per output element.</param>
    /// <param name="NeedsInputGradient">False for the first layer: nothing before it needs its input gradient.</param>
    internal sealed record WeightedLayer(string Name, long MultiplyAdds, bool NeedsInputGradient);

    /// <summary>The weighted layers in order; ReLU, pooling, bias and the loss are left out (they are ~1% of the work).</summary>
    public static IReadOnlyList<WeightedLayer> Layers { get; } = Build();

    /// <summary>FLOPs of one forward pass (a multiply-add counts 2): 2 × 416,520 = 833,040 ≈ 0.83 MFLOP.</summary>
    public static long ForwardFlopsPerImage => Layers.Sum(l => 2 * l.MultiplyAdds);

    /// <summary>
    /// FLOPs of one training step per image. Backward of a weighted layer is two products of the forward's size:
    /// the weight gradient (output gradient × input) and the input gradient (output gradient × weights); the first
    /// layer skips the input gradient. So forward + backward = 3 × forward − conv1's forward
    /// = 3 × 833,040 − 235,200 = 2,263,920 ≈ 2.26 MFLOP. The optimizer update (~62k parameters per batch of 64,
    /// i.e. ~1k per image) is left out.
    /// </summary>
    public static long TrainingFlopsPerImage => Layers.Sum(l => 2 * l.MultiplyAdds * (l.NeedsInputGradient ? 3 : 2));

    private static List<WeightedLayer> Build()
    {
        var layers = new List<WeightedLayer>();
        int channels = 1, size = 28;

        // Conv2d(in→out, k×k, padding p): out × outSize² outputs, each in × k² multiply-adds.
        void Conv(string name, int outChannels, int kernel, int padding)
        {
            int outSize = size + 2 * padding - kernel + 1;
            layers.Add(new WeightedLayer(name, (long)outChannels * outSize * outSize * channels * kernel * kernel, layers.Count > 0));
            channels = outChannels;
            size = outSize;
        }

        void Pool(int window) => size /= window;

        int features = 0;
        void Dense(string name, int units)
        {
            if (features == 0)
            {
                features = channels * size * size; // Flatten
            }

            layers.Add(new WeightedLayer(name, (long)features * units, layers.Count > 0));
            features = units;
        }

        Conv("conv1", 6, 5, 2);   // 6×28×28 × 1×5×5 = 117,600
        Pool(2);                  // 6×14×14
        Conv("conv2", 16, 5, 0);  // 16×10×10 × 6×5×5 = 240,000
        Pool(2);                  // 16×5×5 = 400
        Dense("dense1", 120);     // 400×120 = 48,000
        Dense("dense2", 84);      // 120×84 = 10,080
        Dense("dense3", 10);      // 84×10 = 840
        return layers;
    }
}
