using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>MaxPool2D / AvgPool2D vector kernels agree with the scalar path (including ties and uncovered edges).</summary>
public class PoolKernelTests
{
    public static TheoryData<string> Networks => new()
    {
        nameof(PoolMaxW28), nameof(PoolMaxW10), nameof(PoolMaxW9), nameof(PoolMaxW5), nameof(PoolMaxH7W20), nameof(PoolMaxW32),
        nameof(PoolMaxOverlap), nameof(PoolAvgW28), nameof(PoolAvgW10), nameof(PoolAvgH9W11), nameof(PoolAvgH7W20),
        nameof(PoolAvgOverlap), nameof(PoolMaxFirst), nameof(PoolAvgFirst),
    };

    internal static INetwork Create(string name) => name switch
    {
        nameof(PoolMaxW28) => new PoolMaxW28(seed: 1),
        nameof(PoolMaxW10) => new PoolMaxW10(seed: 2),
        nameof(PoolMaxW9) => new PoolMaxW9(seed: 3),
        nameof(PoolMaxW5) => new PoolMaxW5(seed: 4),
        nameof(PoolMaxH7W20) => new PoolMaxH7W20(seed: 5),
        nameof(PoolMaxW32) => new PoolMaxW32(seed: 6),
        nameof(PoolMaxOverlap) => new PoolMaxOverlap(seed: 7),
        nameof(PoolAvgW28) => new PoolAvgW28(seed: 8),
        nameof(PoolAvgW10) => new PoolAvgW10(seed: 9),
        nameof(PoolAvgH9W11) => new PoolAvgH9W11(seed: 10),
        nameof(PoolAvgH7W20) => new PoolAvgH7W20(seed: 11),
        nameof(PoolAvgOverlap) => new PoolAvgOverlap(seed: 12),
        nameof(PoolMaxFirst) => new PoolMaxFirst(seed: 13),
        nameof(PoolAvgFirst) => new PoolAvgFirst(seed: 14),
        _ => throw new System.ArgumentOutOfRangeException(nameof(name), name, "unknown test network"),
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void VectorPathsAgreeWithScalar(string network) => FencedOracle.AssertPathsAgree(Create(network), seed: 31);

    /// <summary>Which values of a 2×2 window (top-left, top-right, bottom-left, bottom-right) hold the window's higher value.</summary>
    private static readonly bool[][] s_arrangements =
    [
        [true, true, true, true],
        [true, true, false, false],
        [false, true, false, true],
        [false, false, true, true],
        [false, false, false, true],
    ];

    /// <summary>
    /// Ties that carry gradient: every 2×2 window of the input holds two values in one of five arrangements
    /// (all equal; top row high; right column high; bottom row high; only the last high), the same in every
    /// channel, so the 1×1 convolution keeps the ties exactly and, without a ReLU, their gradients reach the
    /// convolution's weights. A path that routes dy to any but the first maximum gets different weight gradients.
    /// </summary>
    [Theory]
    [InlineData(nameof(PoolMaxTiesW28))]
    [InlineData(nameof(PoolMaxTiesW10))]
    [InlineData(nameof(PoolMaxTiesW9))]
    [InlineData(nameof(PoolMaxTiesH7W20))]
    public void MaxPoolTiesGoToTheFirstMaximum(string network)
    {
        INetwork net = network switch
        {
            nameof(PoolMaxTiesW28) => new PoolMaxTiesW28(seed: 21),
            nameof(PoolMaxTiesW10) => new PoolMaxTiesW10(seed: 22),
            nameof(PoolMaxTiesW9) => new PoolMaxTiesW9(seed: 23),
            _ => new PoolMaxTiesH7W20(seed: 24),
        };
        LayerInfo input = net.Layers[0];
        int channels = input.InputShape[0], height = input.InputShape[1], width = input.InputShape[2];
        var rng = new System.Random(5);
        var x = new float[net.InputSize];
        for (int y = 0; y < height; y++)
        {
            for (int c = 0; c < width; c++)
            {
                x[(y * width) + c] = (float)rng.NextDouble();
            }
        }

        for (int oy = 0; oy < height / 2; oy++)
        {
            for (int ox = 0; ox < width / 2; ox++)
            {
                float high = 1f + (float)rng.NextDouble(), low = high - 0.25f - (float)rng.NextDouble();
                bool[] isHigh = s_arrangements[((oy * (width / 2)) + ox) % s_arrangements.Length];
                for (int k = 0; k < 4; k++)
                {
                    x[(((2 * oy) + (k / 2)) * width) + (2 * ox) + (k % 2)] = isHigh[k] ? high : low;
                }
            }
        }

        for (int c = 1; c < channels; c++)
        {
            System.Array.Copy(x, 0, x, c * height * width, height * width);
        }

        FencedOracle.AssertPathsAgree(net, seed: 32, input: x);
    }
}
