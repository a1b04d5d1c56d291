using System;
using System.Collections.Generic;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>The optimizer configurations the shared optimizer tests run on, by name.</summary>
internal static class OptimizerKinds
{
    public static TheoryData<string> All { get; } = new(["sgd", "sgd-momentum", "sgd-nesterov-wd", "adam", "adam-l2", "adamw"]);

    public static IOptimizer Create(string name) => name switch
    {
        "sgd" => new Sgd(0.05f, weightDecay: 0.01f),
        "sgd-momentum" => new Sgd(0.05f, momentum: 0.9f),
        "sgd-nesterov-wd" => new Sgd(0.05f, momentum: 0.8f, weightDecay: 0.01f, nesterov: true),
        "adam" => new Adam(0.01f),
        "adam-l2" => new Adam(0.01f, weightDecay: 0.1f),
        "adamw" => new AdamW(0.01f, weightDecay: 0.1f),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown optimizer configuration."),
    };

    /// <summary>Gaussian values from a fixed seed.</summary>
    public static float[] Random(int length, ulong seed)
    {
        var rng = new Rng(seed);
        float[] values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = rng.NextGaussian();
        }

        return values;
    }

    /// <summary>Asserts that two buffers hold the same bits, naming the first difference.</summary>
    public static void AssertBitIdentical(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what}: element {i} differs: expected {expected[i]:R}, got {actual[i]:R}.");
            }
        }
    }

    /// <summary>The optimizer's state buffers, copied.</summary>
    public static Dictionary<string, float[]> Buffers(IOptimizer optimizer) => new(optimizer.ExportState().Buffers);
}
