using System;
using NetGen;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>Dropouts on 20 (a tail on both widths), 17 and 5 values (fewer than 8).</summary>
[Network, Input(30)]
[Dense(20), ReLU, Dropout(0.3f)]
[Dense(17), Dropout(0.5f)]
[Dense(5), Dropout(0.25f)]
[Dense(4)]
public partial class DropoutLayers;

/// <summary>A dropout as the first layer (reads the caller's input span), 64 values.</summary>
[Network, Input(64)]
[Dropout(0.4f)]
[Dense(3)]
public partial class DropoutFirst;

/// <summary>Nothing but a dropout on 45 values: its output is the logits.</summary>
[Network, Input(45)]
[Dropout(0.4f)]
public partial class DropoutOnly;

/// <summary>Dropout's vector kernels draw the same mask as the scalar path and apply it the same way.</summary>
public class DropoutKernelTests
{
    [Fact]
    public void Training_AllPathsAgree() => FencedOracle.AssertPathsAgree(new DropoutLayers(seed: 1), seed: 61, training: true);

    [Fact]
    public void Evaluation_AllPathsAgree() => FencedOracle.AssertPathsAgree(new DropoutLayers(seed: 1), seed: 61, training: false);

    [Fact]
    public void First_AllPathsAgree() => FencedOracle.AssertPathsAgree(new DropoutFirst(seed: 2), seed: 62, training: true);

    /// <summary>The dropped values are exactly the same on every path: the outputs match bit for bit.</summary>
    [Fact]
    public void SameMaskOnEveryPath()
    {
        INetwork net = new DropoutOnly(seed: 3);
        var input = new float[net.InputSize];
        for (int i = 0; i < input.Length; i++)
        {
            input[i] = 1f + i;
        }

        float[] Output(KernelPath path, ulong seed)
        {
            net.KernelPath = path;
            var workspace = new float[net.WorkspaceSize];
            net.Forward(input, workspace, training: true, dropoutSeed: seed);
            return workspace.AsSpan(net.LogitsOffset, net.OutputSize).ToArray();
        }

        for (ulong seed = 1; seed <= 5; seed++)
        {
            float[] reference = Output(KernelPath.Scalar, seed);
            int dropped = Array.FindAll(reference, v => v == 0f).Length;
            Assert.InRange(dropped, 5, 40);
            foreach (KernelPath path in PathOracle.VectorPaths)
            {
                Assert.Equal(reference, Output(path, seed));
            }
        }
    }
}
