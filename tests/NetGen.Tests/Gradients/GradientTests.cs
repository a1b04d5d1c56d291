using System;
using System.Diagnostics;
using System.Linq;
using System.Runtime.Intrinsics;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Gradients;

/// <summary>
/// Finite-difference gradient checks of the generated backward pass, one network per layer kind (see
/// TestNetworks.cs), plus the Backward accumulation contract and dropout's two modes.
/// </summary>
public sealed class GradientTests(ITestOutputHelper output)
{
    /// <summary>Seeds for the small networks: each one is checked from three different weights, inputs and labels.</summary>
    private static readonly ulong[] s_seeds = { 1, 2, 3 };

    /// <summary>
    /// Weights checked per weight tensor in the networks sized for the vector kernels (all biases are always
    /// checked): a different random sample for each seed. The smallest networks are checked in full.
    /// </summary>
    private const int Sampled = 48;

    /// <summary>
    /// Every kernel path, each checked against its own forward pass. A path the CPU does not accelerate still
    /// runs (in software), so the small networks are checked on all three everywhere.
    /// </summary>
    public static TheoryData<KernelPath> Paths => new() { KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512 };

    [Theory, MemberData(nameof(Paths))]
    public void Dense(KernelPath path) => CheckAll(seed => new DenseOnlyNet(seed), path);

    [Theory, MemberData(nameof(Paths))]
    public void DenseReLUDense(KernelPath path) => CheckAll(seed => new DenseReluNet(seed), path);

    [Theory, MemberData(nameof(Paths))]
    public void Sigmoid(KernelPath path) => CheckAll(seed => new SigmoidNet(seed), path);

    [Theory, MemberData(nameof(Paths))]
    public void Tanh(KernelPath path) => CheckAll(seed => new TanhNet(seed), path);

    [Theory, MemberData(nameof(Paths))]
    public void SoftmaxInTheMiddle(KernelPath path) => CheckAll(seed => new SoftmaxMiddleNet(seed), path);

    [Theory, MemberData(nameof(Paths))]
    public void SoftmaxLast_FusedIntoTheLoss(KernelPath path)
    {
        var probe = new SoftmaxLastNet(1);
        Assert.True(((INetwork)probe).EndsWithSoftmax);
        CheckAll(seed => new SoftmaxLastNet(seed), path);
    }

    [Theory, MemberData(nameof(Paths))]
    public void Conv2D_AsTheOutputLayer(KernelPath path) => CheckAll(seed => new ConvOnlyNet(seed), path);

    [Theory, MemberData(nameof(Paths))]
    public void Conv2D_Stacked(KernelPath path) => CheckAll(seed => new ConvStackNet(seed), path);

    [Theory, MemberData(nameof(Paths))]
    public void Conv2D_StrideAndPadding(KernelPath path) => CheckAll(seed => new ConvStridePadNet(seed), path);

    [Theory, MemberData(nameof(Paths))]
    public void Conv2D_OddStrideWithRemainder(KernelPath path) => CheckAll(seed => new ConvOddStrideNet(seed), path);

    [Theory, MemberData(nameof(Paths))]
    public void MaxPool2D(KernelPath path) => CheckAll(seed => new MaxPoolNet(seed), path);

    [Theory, MemberData(nameof(Paths))]
    public void MaxPool2D_OverlappingWindows(KernelPath path) => CheckAll(seed => new MaxPoolOverlapNet(seed), path);

    [Theory, MemberData(nameof(Paths))]
    public void MaxPool2D_GappedWindows(KernelPath path) => CheckAll(seed => new PoolGapNet(seed), path);

    [Theory, MemberData(nameof(Paths))]
    public void AvgPool2D(KernelPath path) => CheckAll(seed => new AvgPoolNet(seed), path);

    [Theory, MemberData(nameof(Paths))]
    public void AvgPool2D_OverlappingWindows(KernelPath path) => CheckAll(seed => new AvgPoolOverlapNet(seed), path);

    [Theory, MemberData(nameof(Paths))]
    public void Flatten(KernelPath path) => CheckAll(seed => new FlattenNet(seed), path);

    [Theory, MemberData(nameof(Paths))]
    public void Flatten_AsTheFirstLayer(KernelPath path) => CheckAll(seed => new FlattenFirstNet(seed), path);

    [Theory, MemberData(nameof(Paths))]
    public void Dense_VectorTilesAndFusedActivations(KernelPath path) => CheckAll(seed => new DenseVectorNet(seed), path, weightsPerTensor: Sampled);

    [Theory, MemberData(nameof(Paths))]
    public void Dense_WideInput(KernelPath path) => CheckAll(seed => new DenseWideNet(seed), path, weightsPerTensor: Sampled);

    [Theory, MemberData(nameof(Paths))]
    public void Activations_NotFused(KernelPath path)
    {
        CheckAll(seed => new UnfusedActivationNet(seed), path, weightsPerTensor: Sampled);
        CheckAll(seed => new UnfusedReluNet(seed), path, weightsPerTensor: Sampled);
    }

    [Theory, MemberData(nameof(Paths))]
    public void Conv2D_VectorTiles(KernelPath path) => CheckAll(seed => new ConvVectorNet(seed), path, weightsPerTensor: Sampled);

    [Theory, MemberData(nameof(Paths))]
    public void Conv2D_Padding(KernelPath path)
    {
        CheckAll(seed => new ConvPaddingNet(seed), path, weightsPerTensor: Sampled);
        CheckAll(seed => new ConvWidePaddingNet(seed), path, weightsPerTensor: Sampled);
    }

    [Theory, MemberData(nameof(Paths))]
    public void MaxPool2D_VectorRows(KernelPath path) => CheckAll(seed => new MaxPoolVectorNet(seed), path, weightsPerTensor: Sampled);

    [Theory, MemberData(nameof(Paths))]
    public void AvgPool2D_VectorRows(KernelPath path) => CheckAll(seed => new AvgPoolVectorNet(seed), path, weightsPerTensor: Sampled);

    [Theory, MemberData(nameof(Paths))]
    public void Dropout_InTrainingMode(KernelPath path)
    {
        CheckAll(seed => new DropoutNet(seed), path, training: true);

        // Not vacuous: the mask dropped some of dense1's outputs, so the matching columns of dense2.weight get
        // exactly zero gradient, and the others do not.
        var net = new DropoutNet(1) { KernelPath = path };
        var options = new GradientCheckOptions { Path = path, Training = true };
        float[] g = GradientCheck.AnalyticGradient(net, GradientCheck.RandomInput(net, 1), 0, options);
        float[] dense2 = g.AsSpan(net.Dense2.Info.Tensors[0].Offset, net.Dense2.Info.Tensors[0].Length).ToArray();
        Assert.Contains(dense2, v => v == 0f);
        Assert.Contains(dense2, v => v != 0f);
    }

    [Theory, MemberData(nameof(Paths))]
    public void Dropout_OnTheInput(KernelPath path) => CheckAll(seed => new DropoutFirstNet(seed), path, training: true);

    [Theory, MemberData(nameof(Paths))]
    public void LeNet5_SampledParameters(KernelPath path)
    {
        if (!Accelerated(path))
        {
            output.WriteLine($"{path} is not accelerated on this CPU (software emulation): LeNet-5 is checked on the other paths only.");
            return;
        }

        // All 236 biases + 16 random weights of each of the five weight tensors = 316 parameters. The input is
        // image-like, in [0, 1).
        var net = new LeNet5ForGradients(42);
        Check(net, new GradientCheckOptions { Path = path, Seed = 42, WeightsPerTensor = 16, InputMin = 0f, InputMax = 1f });
    }

    [Theory, MemberData(nameof(Paths))]
    public void Backward_Accumulates(KernelPath path)
    {
        foreach (INetwork net in new INetwork[] { new ConvStridePadNet(5), new DenseReluNet(5), new DenseVectorNet(5), new ConvVectorNet(5), new MaxPoolVectorNet(5), new LeNet5ForGradients(5) })
        {
            net.KernelPath = path;
            GradientCheck.RandomizeBiases(net, 5);
            float[] input = GradientCheck.RandomInput(net, 5);
            var workspace = new float[net.WorkspaceSize];
            net.Forward(input, workspace, training: false, dropoutSeed: 0);
            float[] dLogits = GradientCheck.LossGradient(workspace.AsSpan(net.LogitsOffset, net.OutputSize), 1).Select(d => (float)d).ToArray();

            var once = new float[net.ParameterCount];
            net.Backward(input, workspace, dLogits, once);
            Assert.Contains(once, v => v != 0f);

            var twice = new float[net.ParameterCount];
            net.Backward(input, workspace, dLogits, twice);
            net.Backward(input, workspace, dLogits, twice);

            var rng = new Rng(9);
            float[] start = Enumerable.Range(0, net.ParameterCount).Select(_ => rng.NextFloat() - 0.5f).ToArray();
            float[] onto = (float[])start.Clone();
            net.Backward(input, workspace, dLogits, onto);

            for (int i = 0; i < once.Length; i++)
            {
                // Messages are built only on failure: LeNet-5 has 61,706 parameters.
                if (Math.Abs(twice[i] - (2 * once[i])) > 1e-5f * (1 + Math.Abs(once[i])))
                {
                    Assert.Fail($"{net.GetType().Name} on {path}, {GradientCheck.ParameterName(net, i)}: two Backward calls gave {twice[i]}, expected 2 × {once[i]}.");
                }

                if (Math.Abs(onto[i] - (start[i] + once[i])) > 1e-5f * (1 + Math.Abs(once[i])))
                {
                    Assert.Fail($"{net.GetType().Name} on {path}, {GradientCheck.ParameterName(net, i)}: Backward onto {start[i]} gave {onto[i]}, expected {start[i] + once[i]}.");
                }
            }
        }
    }

    [Theory, MemberData(nameof(Paths))]
    public void EvaluationMode_IgnoresDropout(KernelPath path)
    {
        // Dropout alone: the output is the input, whatever the dropout seed.
        var only = new DropoutOnlyNet(1) { KernelPath = path };
        float[] x = GradientCheck.RandomInput(only, 3);
        var workspace = new float[DropoutOnlyNet.WorkspaceSize];
        foreach (ulong seed in new ulong[] { 0, 1, 77 })
        {
            only.Forward(x, workspace, training: false, dropoutSeed: seed);
            Assert.Equal(x, workspace.AsSpan(DropoutOnlyNet.LogitsOffset, DropoutOnlyNet.OutputSize).ToArray());
        }

        var predicted = new float[DropoutOnlyNet.OutputSize];
        only.Predict(x, predicted);
        Assert.Equal(x, predicted);

        // Dropout inside a stack: evaluation mode computes dense2(tanh(dense1(x))), here recomputed in double.
        var net = new DropoutNet(4) { KernelPath = path };
        GradientCheck.RandomizeBiases(net, 4);
        float[] input = GradientCheck.RandomInput(net, 4);
        double[] expected = DenseForward(net.Dense2, DenseForward(net.Dense1, input.Select(v => (double)v).ToArray()).Select(Math.Tanh).ToArray());
        var ws = new float[DropoutNet.WorkspaceSize];
        foreach (ulong seed in new ulong[] { 0, 1, 77 })
        {
            net.Forward(input, ws, training: false, dropoutSeed: seed);
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.True(Math.Abs(ws[DropoutNet.LogitsOffset + i] - expected[i]) < 1e-5, $"logit {i}: {ws[DropoutNet.LogitsOffset + i]}, expected {expected[i]} (dropout seed {seed})");
            }
        }

        var output2 = new float[DropoutNet.OutputSize];
        net.Predict(input, output2);
        Assert.Equal(ws.AsSpan(DropoutNet.LogitsOffset, DropoutNet.OutputSize).ToArray(), output2);

        // And training mode does drop: its logits differ.
        net.Forward(input, ws, training: true, dropoutSeed: 1);
        Assert.NotEqual(output2, ws.AsSpan(DropoutNet.LogitsOffset, DropoutNet.OutputSize).ToArray());
    }

    [Theory, MemberData(nameof(Paths))]
    public void DropoutMask_KeepsOneMinusRate_ScaledByItsInverse(KernelPath path)
    {
        const float Rate = 0.3f;
        var net = new DropoutOnlyNet(1) { KernelPath = path };
        float[] x = GradientCheck.RandomInput(net, 8).Select(v => v + 2f).ToArray(); // in [1, 3): never zero
        var workspace = new float[DropoutOnlyNet.WorkspaceSize];
        int kept = 0, total = 0;
        double ratioSum = 0;
        float[]? first = null;
        for (ulong seed = 1; seed <= 5; seed++)
        {
            net.Forward(x, workspace, training: true, dropoutSeed: seed);
            float[] y = workspace.AsSpan(DropoutOnlyNet.LogitsOffset, DropoutOnlyNet.OutputSize).ToArray();
            for (int i = 0; i < y.Length; i++)
            {
                total++;
                ratioSum += y[i] / x[i];
                if (y[i] == 0f)
                {
                    continue;
                }

                kept++;
                Assert.True(Math.Abs((y[i] / x[i]) - (1 / (1 - Rate))) < 1e-5, $"kept value {i} (seed {seed}) scaled by {y[i] / x[i]}, expected 1 / (1 − {Rate}).");
            }

            // The same seed gives the same mask; another seed gives another one.
            net.Forward(x, workspace, training: true, dropoutSeed: seed);
            Assert.Equal(y, workspace.AsSpan(DropoutOnlyNet.LogitsOffset, DropoutOnlyNet.OutputSize).ToArray());
            if (first is null)
            {
                first = y;
            }
            else
            {
                Assert.NotEqual(first, y);
            }
        }

        // 20,000 draws: the kept fraction has a standard deviation of 0.0032, so ±0.02 is over 6σ.
        double fraction = (double)kept / total;
        output.WriteLine($"kept {kept} of {total} ({fraction:F4}); mean y/x {ratioSum / total:F4}");
        Assert.InRange(fraction, 1 - Rate - 0.02, 1 - Rate + 0.02);
        Assert.InRange(ratioSum / total, 0.97, 1.03);
    }

    private static double[] DenseForward(LayerView layer, double[] x)
    {
        Span<float> w = layer.Weights, b = layer.Bias;
        var y = new double[b.Length];
        for (int o = 0; o < y.Length; o++)
        {
            y[o] = b[o];
            for (int i = 0; i < x.Length; i++)
            {
                y[o] += w[(o * x.Length) + i] * x[i];
            }
        }

        return y;
    }

    private void CheckAll(Func<int, INetwork> create, KernelPath path, bool training = false, int? weightsPerTensor = null)
    {
        foreach (ulong seed in s_seeds)
        {
            Check(create((int)seed), new GradientCheckOptions { Path = path, Seed = seed, Training = training, DropoutSeed = 1000 + seed, WeightsPerTensor = weightsPerTensor });
        }
    }

    private static bool Accelerated(KernelPath path) => path switch
    {
        KernelPath.Vector256 => Vector256.IsHardwareAccelerated,
        KernelPath.Vector512 => Vector512.IsHardwareAccelerated,
        _ => true,
    };

    private void Check(INetwork net, GradientCheckOptions options)
    {
        var clock = Stopwatch.StartNew();
        GradientCheckResult result = GradientCheck.Run(net, options);
        output.WriteLine($"{result.Summary} [{clock.ElapsedMilliseconds} ms]");
        result.AssertPassed();
    }
}
