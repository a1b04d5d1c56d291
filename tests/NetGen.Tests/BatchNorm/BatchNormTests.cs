using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Tests.Gradients;
using NetGen.Tests.Kernels;
using Xunit;

namespace NetGen.Tests.BatchNorm;

public class BatchNormTests
{
    public static TheoryData<string, KernelPath> NetworksAndPaths()
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (string name in new[] { nameof(BnMlp), nameof(BnConv), nameof(BnSmall), nameof(BnHead), nameof(BnFirst) })
        {
            foreach (KernelPath path in new[] { KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512 })
            {
                data.Add(name, path);
            }
        }

        return data;
    }

    private static INetwork Create(string name, int seed = 3)
    {
        INetwork net = name switch
        {
            nameof(BnMlp) => new BnMlp(seed),
            nameof(BnConv) => new BnConv(seed),
            nameof(BnSmall) => new BnSmall(seed),
            nameof(BnHead) => new BnHead(seed),
            nameof(BnFirst) => new BnFirst(seed),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        GradientCheck.RandomizeBiases(net, (ulong)seed);

        // γ and β away from their initial 1 and 0, so a kernel that ignored either would show.
        var rng = new Rng(99);
        foreach (TensorInfo t in net.Layers.Where(l => l.Kind == "BatchNorm").SelectMany(l => l.Tensors).Where(t => !t.IsBuffer))
        {
            for (int i = 0; i < t.Length; i++)
            {
                net.Parameters[t.Offset + i] = t.Key.EndsWith(".weight", StringComparison.Ordinal) ? 0.5f + rng.NextFloat() : rng.NextFloat() - 0.5f;
            }
        }

        return net;
    }

    [Fact]
    public void Tensors_are_PyTorchs_with_buffers_apart_and_initialized_as_PyTorch_does()
    {
        var net = new BnConv(1);
        LayerInfo bn = net.Layers[1];
        Assert.Equal("bn1", bn.Name);
        Assert.Equal(["bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"], bn.Tensors.Select(t => t.Key));
        Assert.Equal([false, false, true, true], bn.Tensors.Select(t => t.IsBuffer));
        Assert.All(bn.Tensors, t => Assert.Equal([3], t.Shape));
        Assert.Equal(6, bn.ParameterCount);

        // conv1 57, bn1 6, dense1 9·27 + 9 = 252, bn2 18, dense2 4·9 + 4 = 40.
        Assert.Equal(57 + 6 + 252 + 18 + 40, BnConv.ParameterCount);
        Assert.Equal(2 * (3 + 9), ((INetwork)net).Buffers.Length);
        Assert.Equal(3, ((INetwork)net).SegmentCount);
        Assert.Equal(4 * (3 + 9), ((INetwork)net).BatchStateSize);

        foreach (LayerInfo layer in net.Layers.Where(l => l.Kind == "BatchNorm"))
        {
            Assert.All(Slice(net, layer, "weight").ToArray(), v => Assert.Equal(1f, v));
            Assert.All(Slice(net, layer, "bias").ToArray(), v => Assert.Equal(0f, v));
            Assert.All(Slice(net, layer, "running_mean").ToArray(), v => Assert.Equal(0f, v));
            Assert.All(Slice(net, layer, "running_var").ToArray(), v => Assert.Equal(1f, v));
        }
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void Training_output_has_the_batch_mean_beta_and_standard_deviation_gamma(KernelPath path)
    {
        var net = (BnHead)Create(nameof(BnHead));
        net.KernelPath = path;
        var pass = BatchPass.Random(net, 8, seed: 5);
        pass.Forward();
        Span<float> gamma = Slice(net, net.Layers[1], "weight"), beta = Slice(net, net.Layers[1], "bias");
        for (int c = 0; c < 9; c++)
        {
            double[] y = Enumerable.Range(0, 8).Select(i => (double)pass.Logits(i)[c]).ToArray();
            double mean = y.Average();
            double std = Math.Sqrt(y.Select(v => (v - mean) * (v - mean)).Average());
            Assert.Equal(beta[c], mean, 1e-5);

            // The variance is (σ² / (σ² + ε)) · γ²; with ε = 1e-5 that is γ² to about 1e-4 here.
            Assert.Equal(gamma[c], std, 2e-3 * gamma[c]);
        }
    }

    [Fact]
    public void Running_statistics_move_toward_the_batch_mean_and_unbiased_variance()
    {
        var net = (BnHead)Create(nameof(BnHead));
        var pass = BatchPass.Random(net, 5, seed: 8);
        pass.UpdateRunningStatistics = true;
        pass.Forward();

        // The Dense outputs z = Wx + b, computed here in double from the weights.
        float[] w = net.Dense1.Weights.ToArray(), b = net.Dense1.Bias.ToArray();
        for (int c = 0; c < 9; c++)
        {
            double[] z = pass.Inputs.Select(x => b[c] + Enumerable.Range(0, 6).Sum(k => (double)w[(c * 6) + k] * x[k])).ToArray();
            double mean = z.Average();
            double unbiased = z.Sum(v => (v - mean) * (v - mean)) / (z.Length - 1);
            Assert.Equal(0.1 * mean, Slice(net, net.Layers[1], "running_mean")[c], 1e-5);
            Assert.Equal((0.9 * 1) + (0.1 * unbiased), Slice(net, net.Layers[1], "running_var")[c], 1e-5);
        }
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void Evaluation_normalizes_with_the_running_statistics(KernelPath path)
    {
        var net = (BnHead)Create(nameof(BnHead));
        net.KernelPath = path;
        var rng = new Rng(4);
        Span<float> runningMean = Slice(net, net.Layers[1], "running_mean"), runningVar = Slice(net, net.Layers[1], "running_var");
        for (int c = 0; c < 9; c++)
        {
            runningMean[c] = rng.NextFloat() - 0.5f;
            runningVar[c] = 0.2f + rng.NextFloat();
        }

        float[] x = [0.3f, -0.7f, 0.1f, 0.9f, -0.2f, 0.5f];
        var y = new float[9];
        net.Predict(x, y);
        float[] w = net.Dense1.Weights.ToArray(), b = net.Dense1.Bias.ToArray();
        Span<float> gamma = Slice(net, net.Layers[1], "weight"), beta = Slice(net, net.Layers[1], "bias");
        for (int c = 0; c < 9; c++)
        {
            double z = b[c] + Enumerable.Range(0, 6).Sum(k => (double)w[(c * 6) + k] * x[k]);
            double expected = (gamma[c] * (z - runningMean[c]) / Math.Sqrt(runningVar[c] + 1e-5)) + beta[c];
            Assert.Equal(expected, y[c], 1e-5);
        }
    }

    [Theory]
    [MemberData(nameof(NetworksAndPaths))]
    public void Batch_gradients_match_finite_differences(string name, KernelPath path)
    {
        INetwork net = Create(name);
        net.KernelPath = path;
        List<string> failures = BatchPass.Random(net, 6, seed: 11).FiniteDifferenceFailures();
        int count = net.ParameterCount;
        Assert.True(failures.Count == 0, $"{name} on {path}: {failures.Count} of {count} gradients disagree:\n" + string.Join("\n", failures.Take(20)));
    }

    [Theory]
    [InlineData(nameof(BnMlp))]
    [InlineData(nameof(BnConv))]
    [InlineData(nameof(BnSmall))]
    [InlineData(nameof(BnFirst))]
    public void Vector_paths_agree_with_the_scalar_path(string name)
    {
        (float[] Logits, float[] Gradients, float[] Buffers) Run(KernelPath path)
        {
            INetwork net = Create(name);
            net.KernelPath = path;
            var pass = BatchPass.Random(net, 5, seed: 21);
            pass.UpdateRunningStatistics = true;
            float[] gradients = pass.Gradient();
            return (Enumerable.Range(0, 5).SelectMany(pass.Logits).ToArray(), gradients, net.Buffers.ToArray());
        }

        var scalar = Run(KernelPath.Scalar);
        foreach (KernelPath path in new[] { KernelPath.Vector256, KernelPath.Vector512 })
        {
            var vector = Run(path);
            INetwork net = Create(name);
            PathOracle.AssertClose(scalar.Logits, vector.Logits, path, name + " logits", i => "sample " + (i / net.OutputSize));
            PathOracle.AssertClose(scalar.Gradients, vector.Gradients, path, name + " gradient", i => PathOracle.TensorName(net, i));
            PathOracle.AssertClose(scalar.Buffers, vector.Buffers, path, name + " running statistics", i => "buffer " + i);
        }
    }

    [Fact]
    public void Backward_stops_below_TrainableFrom_and_leaves_the_layers_above_exact()
    {
        INetwork full = Create(nameof(BnConv)), frozen = Create(nameof(BnConv));
        frozen.TrainableFrom = 6; // dense1: conv1, bn1 and the layers between stay frozen.
        float[] all = BatchPass.Random(full, 4, seed: 2).Gradient();
        float[] some = BatchPass.Random(frozen, 4, seed: 2).Gradient();
        int firstTrainable = frozen.Layers[6].Tensors[0].Offset;
        Assert.All(some.Take(firstTrainable), g => Assert.Equal(0f, g));
        Assert.Equal(all.Skip(firstTrainable), some.Skip(firstTrainable));
        Assert.Contains(all.Take(firstTrainable), g => g != 0f);
        Assert.Throws<ArgumentOutOfRangeException>(() => frozen.TrainableFrom = frozen.Layers.Count + 1);
    }

    [Fact]
    public void A_single_sample_training_pass_is_refused_with_a_message_that_says_what_to_do()
    {
        var net = new BnMlp(1);
        var workspace = new float[BnMlp.WorkspaceSize];
        var error = Assert.Throws<InvalidOperationException>(() => net.Forward(new float[12], workspace, training: true, 0));
        Assert.Contains("ForwardSegment", error.Message, StringComparison.Ordinal);
        net.Forward(new float[12], workspace, training: false, 0); // evaluation needs no batch
        Assert.Throws<ArgumentOutOfRangeException>(() => ((INetwork)net).ForwardSegment(2, new float[12], workspace, new float[BnMlp.BatchStateSize], true, 0));
    }

    private static Span<float> Slice(INetwork net, LayerInfo layer, string suffix)
    {
        TensorInfo t = layer.Tensors.Single(t => t.Key == layer.Name + "." + suffix);
        return (t.IsBuffer ? net.Buffers : net.Parameters).Slice(t.Offset, t.Length);
    }
}
