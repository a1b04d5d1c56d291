using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Tests.BatchNorm;
using NetGen.Tests.Gradients;
using NetGen.Tests.Kernels;
using Xunit;

namespace NetGen.Tests.Graphs;

/// <summary>
/// Graph networks (From, Add, Concat): closed forms of the joins on every path, every path against the scalar
/// one (with NaN fences, so a first reader that added instead of writing would show), gradients against finite
/// differences (values with several readers, staged and in-kernel sums, BatchNorm across branches), and the
/// layer table's inputs.
/// </summary>
public sealed class GraphTests
{
    public static TheoryData<KernelPath> Paths => new() { KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512 };

    private static float[] Input(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 6) - 3)).ToArray();
    }

    [Theory, MemberData(nameof(Paths))]
    public void Add_is_the_sum_of_its_operands(KernelPath path)
    {
        var net = new AddClosedForm(1) { KernelPath = path };
        float[] x = Input(37, 3), y = new float[37];
        net.Predict(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            float r = MathF.Max(x[i], 0f);
            Assert.Equal(MathF.Tanh(r) + r, y[i], 6);
        }
    }

    [Theory, MemberData(nameof(Paths))]
    public void Concat_puts_its_operands_one_after_the_other(KernelPath path)
    {
        var net = new ConcatClosedForm(1) { KernelPath = path };
        float[] x = Input(37, 4), y = new float[3 * 37];
        net.Predict(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            float r = MathF.Max(x[i], 0f);
            Assert.Equal(MathF.Tanh(r), y[i], 6);
            Assert.Equal(r, y[37 + i]);
            Assert.Equal(r, y[74 + i]);
        }
    }

    public static TheoryData<string> ChainFreeNetworks => new() { nameof(IdentityResidual), nameof(ConcatBranches), nameof(FusedAddTail) };

    private static INetwork Create(string name, int seed) => name switch
    {
        nameof(IdentityResidual) => new IdentityResidual(seed),
        nameof(ConcatBranches) => new ConcatBranches(seed),
        nameof(FusedAddTail) => new FusedAddTail(seed),
        _ => new ProjectionResidual(seed),
    };

    [Theory, MemberData(nameof(ChainFreeNetworks))]
    public void Vector_paths_agree_with_scalar(string name)
    {
        INetwork net = Create(name, 3);
        GradientCheck.RandomizeBiases(net, 5);
        FencedOracle.AssertPathsAgree(net, seed: 7);
    }

    public static TheoryData<string, KernelPath> NetworksAndPaths()
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (string name in new[] { nameof(IdentityResidual), nameof(ConcatBranches), nameof(FusedAddTail) })
        {
            foreach (KernelPath path in new[] { KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512 })
            {
                data.Add(name, path);
            }
        }

        return data;
    }

    [Theory, MemberData(nameof(NetworksAndPaths))]
    public void Gradients_match_finite_differences(string name, KernelPath path)
    {
        for (int seed = 1; seed <= 2; seed++)
        {
            INetwork net = Create(name, seed);
            GradientCheck.RandomizeBiases(net, (ulong)seed);
            GradientCheck.Run(net, new GradientCheckOptions { Path = path, Seed = (ulong)seed }).AssertPassed();
        }
    }

    private static INetwork Residual(int seed, bool smooth = false)
    {
        INetwork net = smooth ? new SmoothProjectionResidual(seed) : new ProjectionResidual(seed);
        GradientCheck.RandomizeBiases(net, (ulong)seed);
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

    [Theory, MemberData(nameof(Paths))]
    public void A_residual_block_with_BatchNorm_on_both_branches_has_the_batch_gradient(KernelPath path)
    {
        // Smooth activations: a ReLU's kink within h of a batch-normalized value would make the numeric gradient wrong.
        INetwork net = Residual(2, smooth: true);
        net.KernelPath = path;
        List<string> failures = BatchPass.Random(net, 5, seed: 13).FiniteDifferenceFailures();
        int count = net.ParameterCount;
        Assert.True(failures.Count == 0, $"{path}: {failures.Count} of {count} gradients disagree:\n" + string.Join("\n", failures.Take(20)));
    }

    [Fact]
    public void The_residual_block_agrees_across_paths_in_a_batch()
    {
        (float[] Logits, float[] Gradients) Run(KernelPath path)
        {
            INetwork net = Residual(4);
            net.KernelPath = path;
            var pass = BatchPass.Random(net, 4, seed: 17);
            float[] gradients = pass.Gradient();
            return (Enumerable.Range(0, 4).SelectMany(pass.Logits).ToArray(), gradients);
        }

        var scalar = Run(KernelPath.Scalar);
        INetwork shape = Residual(4);
        foreach (KernelPath path in PathOracle.VectorPaths)
        {
            var vector = Run(path);
            PathOracle.AssertClose(scalar.Logits, vector.Logits, path, "logits", i => "sample " + (i / shape.OutputSize));
            PathOracle.AssertClose(scalar.Gradients, vector.Gradients, path, "gradient", i => PathOracle.TensorName(shape, i));
        }
    }

    [Fact]
    public void The_layer_table_names_each_layers_inputs()
    {
        IReadOnlyList<LayerInfo> layers = ((INetwork)new ProjectionResidual(1)).Layers;
        LayerInfo Layer(string name) => layers.Single(l => l.Name == name);
        Assert.Empty(layers[0].Inputs);
        Assert.Equal(["conv1"], Layer("bn1").Inputs);
        Assert.Equal(["b1"], Layer("conv4").Inputs);
        Assert.Equal(["bn4", "b2_main"], Layer("add1").Inputs);
        Assert.Equal([6, 4, 4], Layer("add1").OutputShape);
    }
}
