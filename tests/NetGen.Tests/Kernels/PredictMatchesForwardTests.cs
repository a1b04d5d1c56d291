using System;
using System.Collections.Generic;
using NetGen.Tests.Graphs;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// Predict runs its own pass on its own workspace layout, where values share the floats of values no later layer
/// reads; the training pass in evaluation mode (Forward with training: false) keeps every value. Both run the same
/// kernels in the same order, so on every path Predict must give Forward's output bit for bit: a value overwritten
/// while something still reads it would show here, on chains, residuals, branches, BatchNorm and dropout.
/// </summary>
public sealed class PredictMatchesForwardTests
{
    public static TheoryData<string, KernelPath> Cases()
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (string name in Networks.Keys)
        {
            foreach (KernelPath path in new[] { KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512 })
            {
                data.Add(name, path);
            }
        }

        return data;
    }

    private static readonly Dictionary<string, Func<INetwork>> Networks = new()
    {
        ["lenet5"] = () => new PathLeNet5(seed: 3),
        ["strided"] = () => new PathStrided(seed: 4),
        ["dropout"] = () => new NetGen.Tests.Gradients.DropoutNet(seed: 5),
        ["identity_residual"] = () => new IdentityResidual(seed: 6),
        ["projection_residual"] = () => new ProjectionResidual(seed: 7),
        ["concat_branches"] = () => new ConcatBranches(seed: 8),
        ["add_closed_form"] = () => new AddClosedForm(seed: 9),
        ["resnet8"] = () => new global::ResNet.ResNet8(seed: 10),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Predict_gives_the_evaluation_pass_output_bit_for_bit(string name, KernelPath path)
    {
        if ((path == KernelPath.Vector256 && !System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated) || (path == KernelPath.Vector512 && !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated))
        {
            return; // not accelerated here: the path would run in software emulation
        }

        INetwork net = Networks[name]();
        Assert.False(net.EndsWithSoftmax || net.EndsWithSigmoid, "Forward leaves the logits, Predict the trailing activation's output: pick networks without one");
        net.KernelPath = path;
        var rng = new Random(11);
        var input = new float[net.InputSize];
        var workspace = new float[net.WorkspaceSize];
        var predicted = new float[net.OutputSize];
        var onCallers = new float[net.OutputSize];
        var callersWorkspace = new float[net.PredictWorkspaceSize];
        for (int sample = 0; sample < 3; sample++)
        {
            for (int i = 0; i < input.Length; i++)
            {
                input[i] = (float)((rng.NextDouble() * 2) - 1);
            }

            // Garbage in the training workspace first: the evaluation pass may not read what it did not write.
            Array.Fill(workspace, float.NaN);
            net.Forward(input, workspace, training: false, dropoutSeed: 0);
            net.Predict(input, predicted);
            Array.Fill(callersWorkspace, float.NaN);
            net.Predict(input, onCallers, callersWorkspace);
            ReadOnlySpan<float> expected = workspace.AsSpan(net.LogitsOffset, net.OutputSize);

            for (int i = 0; i < predicted.Length; i++)
            {
                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(predicted[i]),
                    $"{name} on {path}, sample {sample}, output {i}: Predict {predicted[i]:R}, Forward {expected[i]:R}");
                Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(onCallers[i]),
                    $"{name} on {path}, sample {sample}, output {i}: Predict on the caller's workspace {onCallers[i]:R}, Forward {expected[i]:R}");
            }
        }
    }

    /// <summary>
    /// Threads predicting with one instance, each on its own workspace of <see cref="INetwork.PredictWorkspaceSize"/>
    /// floats, get what one thread gets one sample at a time: nothing of the instance is written during a predict.
    /// </summary>
    [Fact]
    public void Threads_predicting_on_their_own_workspaces_agree_with_one_thread()
    {
        INetwork net = new global::ResNet.ResNet8(seed: 12);
        Assert.True(net.PredictWorkspaceSize > 0 && net.PredictWorkspaceSize < net.WorkspaceSize, $"evaluation layout {net.PredictWorkspaceSize} floats, training {net.WorkspaceSize}");
        const int samples = 24;
        var rng = new Random(13);
        var inputs = new float[samples * net.InputSize];
        for (int i = 0; i < inputs.Length; i++)
        {
            inputs[i] = (float)((rng.NextDouble() * 2) - 1);
        }

        var sequential = new float[samples * net.OutputSize];
        for (int s = 0; s < samples; s++)
        {
            net.Predict(inputs.AsSpan(s * net.InputSize, net.InputSize), sequential.AsSpan(s * net.OutputSize, net.OutputSize));
        }

        var parallel = new float[samples * net.OutputSize];
        using var go = new System.Threading.Barrier(2);
        void Worker(int parity)
        {
            var workspace = new float[net.PredictWorkspaceSize];
            go.SignalAndWait();
            for (int round = 0; round < 4; round++)
            {
                for (int s = parity; s < samples; s += 2)
                {
                    net.Predict(inputs.AsSpan(s * net.InputSize, net.InputSize), parallel.AsSpan(s * net.OutputSize, net.OutputSize), workspace);
                }
            }
        }

        var other = new System.Threading.Thread(() => Worker(1));
        other.Start();
        Worker(0);
        other.Join();
        for (int i = 0; i < sequential.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(sequential[i]) == BitConverter.SingleToInt32Bits(parallel[i]),
                $"sample {i / net.OutputSize}, output {i % net.OutputSize}: two threads {parallel[i]:R}, one {sequential[i]:R}");
        }
    }

    [Fact]
    public void A_callers_workspace_smaller_than_PredictWorkspaceSize_is_refused_by_name()
    {
        INetwork net = new PathLeNet5(seed: 3);
        var error = Assert.Throws<ArgumentException>(() => net.Predict(new float[net.InputSize], new float[net.OutputSize], new float[net.PredictWorkspaceSize - 1]));
        Assert.Equal("workspace", error.ParamName);
        Assert.Contains(net.PredictWorkspaceSize.ToString(System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
    }
}
