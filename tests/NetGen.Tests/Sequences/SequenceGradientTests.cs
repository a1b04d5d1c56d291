using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace NetGen.Tests.Sequences;

/// <summary>
/// Embedding, LSTM (both directions, every step's output or the final one, masked or not, stacked) and Dense on a
/// sequence: every parameter's gradient against central finite differences of a smooth loss of the outputs,
/// L = Σ r·y + ½ Σ y² (fixed random r), whose d L / d y = r + y needs nothing of the runtime's losses.
/// </summary>
public sealed class SequenceGradientTests
{
    private static readonly Dictionary<string, (Func<INetwork> Create, float[] Ids)> Cases = new()
    {
        // Padding inside, at the end and at the start: the reverse direction then starts on padding.
        ["tagger"] = (() => new TinyTagger(seed: 3), [3, 7, 0, 5, 0, 10]),
        ["tagger_leading_padding"] = (() => new TinyTagger(seed: 4), [0, 2, 9, 0, 0, 1]),
        ["last_step"] = (() => new TinyLastStep(seed: 5), [1, 8, 0, 4, 4, 2, 7]),
        ["stacked"] = (() => new TinyStacked(seed: 6), [4, 0, 9, 2, 0, 0]),
        ["wide"] = (() => new TinyWide(seed: 10), [12, 0, 3, 7, 1]),
        ["simple_rnn"] = (() => new TinyRnn(seed: 11), [0, 4, 10, 0, 2, 0]),
    };

    public static TheoryData<string> Names() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_parameter_gradient_matches_finite_differences(string name)
    {
        (Func<INetwork> create, float[] ids) = Cases[name];
        INetwork net = create();
        net.KernelPath = KernelPath.Scalar;
        float[] r = Weights(net.OutputSize, seed: 17);

        var workspace = new float[net.WorkspaceSize];
        net.Forward(ids, workspace, training: true, 0);
        float[] y = workspace.AsSpan(net.LogitsOffset, net.OutputSize).ToArray();
        float[] dy = y.Select((v, i) => r[i] + v).ToArray();
        var analytic = new float[net.ParameterCount];
        net.Backward(ids, workspace, dy, analytic);

        Span<float> p = net.Parameters;
        var failures = new List<string>();
        int checkedCount = 0;
        foreach (LayerInfo layer in net.Layers)
        {
            foreach (TensorInfo tensor in layer.Tensors)
            {
                // Every float of the small tensors, an even spread of the embedding table's rows.
                for (int k = 0; k < tensor.Length; k++)
                {
                    int j = tensor.Offset + k;
                    float saved = p[j];
                    const float h = 1e-2f;
                    p[j] = saved + h;
                    double plus = Loss(net, ids, r);
                    p[j] = saved - h;
                    double minus = Loss(net, ids, r);
                    p[j] = saved;
                    double numeric = (plus - minus) / (2 * h);
                    // Relative to the pair, with a floor of 3e-3: below it the central difference's own truncation error (~1e-5 at this step) counts.
                    double error = Math.Abs(numeric - analytic[j]) / Math.Max(3e-3, Math.Abs(numeric) + Math.Abs(analytic[j]));
                    checkedCount++;
                    if (error > 1e-2)
                    {
                        failures.Add($"{tensor.Key}[{k}]: analytic {analytic[j]:G6}, numeric {numeric:G6}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {checkedCount} gradients differ:\n" + string.Join("\n", failures.Take(12)));
        Assert.Contains(analytic, g => g != 0f);
    }

    public static TheoryData<string, KernelPath> VectorCases()
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (string name in Cases.Keys)
        {
            data.Add(name, KernelPath.Vector256);
            data.Add(name, KernelPath.Vector512);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(VectorCases))]
    public void The_vector_paths_agree_with_the_scalar_reference(string name, KernelPath path)
    {
        if ((path == KernelPath.Vector256 && !System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated) || (path == KernelPath.Vector512 && !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated))
        {
            return; // not accelerated here: the path would run in software emulation
        }

        (Func<INetwork> create, float[] ids) = Cases[name];
        INetwork net = create();
        float[] r = Weights(net.OutputSize, seed: 5);
        (float[] Output, float[] Gradient) Run(KernelPath p)
        {
            net.KernelPath = p;
            var workspace = new float[net.WorkspaceSize];
            net.Forward(ids, workspace, training: true, 0);
            float[] y = workspace.AsSpan(net.LogitsOffset, net.OutputSize).ToArray();
            var gradients = new float[net.ParameterCount];
            net.Backward(ids, workspace, r, gradients);
            return (y, gradients);
        }

        (float[] y0, float[] g0) = Run(KernelPath.Scalar);
        (float[] y1, float[] g1) = Run(path);
        for (int i = 0; i < y0.Length; i++)
        {
            Assert.True(Math.Abs(y0[i] - y1[i]) <= 1e-5f * (1 + Math.Abs(y0[i])), $"output {i}: scalar {y0[i]}, {path} {y1[i]}");
        }

        for (int i = 0; i < g0.Length; i++)
        {
            Assert.True(Math.Abs(g0[i] - g1[i]) <= 1e-5f * (1 + Math.Abs(g0[i])), $"gradient {i}: scalar {g0[i]}, {path} {g1[i]}");
        }
    }

    [Fact]
    public void Padding_rows_of_a_masked_embedding_start_at_zero_and_learn_nothing()
    {
        var net = new TinyTagger(seed: 8);
        TensorInfo table = ((INetwork)net).Layers[0].Tensors[0];
        Assert.Equal("embedding1.weight", table.Key);
        Assert.All(net.Parameters.Slice(table.Offset, 5).ToArray(), v => Assert.Equal(0f, v));
        Assert.Contains(net.Parameters.Slice(table.Offset + 5, table.Length - 5).ToArray(), v => v != 0f);

        float[] ids = [3, 0, 4, 0, 0, 2];
        var workspace = new float[TinyTagger.WorkspaceSize];
        ((INetwork)net).Forward(ids, workspace, training: true, 0);
        var gradients = new float[TinyTagger.ParameterCount];
        ((INetwork)net).Backward(ids, workspace, Enumerable.Repeat(1f, TinyTagger.OutputSize).ToArray(), gradients);
        Assert.All(gradients.AsSpan(table.Offset, 5).ToArray(), g => Assert.Equal(0f, g));
    }

    [Theory]
    [InlineData(KernelPath.Scalar)]
    [InlineData(KernelPath.Vector256)]
    [InlineData(KernelPath.Vector512)]
    public void Padded_steps_are_left_out_as_if_the_sequence_had_none(KernelPath path)
    {
        // The LSTM skips padded steps: [3, 7, 0, 5, 0, 10] runs as [3, 7, 5, 10] would, in both directions, and
        // its output at a padded step is zero, so the Dense gives its bias there.
        var net = new TinyTagger(seed: 9) { KernelPath = path };
        float[] padded = Predict(net, [3, 7, 0, 5, 0, 10]);
        float[] compact = Predict(net, [3, 7, 5, 10, 0, 0]);
        int classes = 3;
        int[] real = [0, 1, 3, 5];
        for (int k = 0; k < real.Length; k++)
        {
            Assert.Equal(compact.AsSpan(k * classes, classes).ToArray(), padded.AsSpan(real[k] * classes, classes).ToArray());
        }

        TensorInfo bias = ((INetwork)net).Layers[2].Tensors[1];
        float[] b = net.Parameters.Slice(bias.Offset, classes).ToArray();
        Assert.Equal(b, padded.AsSpan(2 * classes, classes).ToArray());
        Assert.Equal(b, padded.AsSpan(4 * classes, classes).ToArray());
    }

    [Fact]
    public void Parameters_carry_PyTorch_names_shapes_and_order()
    {
        INetwork net = new TinyTagger(seed: 1);
        string[] keys = net.Layers.SelectMany(l => l.Tensors).Select(t => t.Key + " [" + string.Join(", ", t.Shape) + "]").ToArray();
        Assert.Equal(
            [
                "embedding1.weight [11, 5]",
                "lstm1.weight_ih_l0 [16, 5]", "lstm1.weight_hh_l0 [16, 4]", "lstm1.bias_ih_l0 [16]", "lstm1.bias_hh_l0 [16]",
                "lstm1.weight_ih_l0_reverse [16, 5]", "lstm1.weight_hh_l0_reverse [16, 4]", "lstm1.bias_ih_l0_reverse [16]", "lstm1.bias_hh_l0_reverse [16]",
                "dense1.weight [3, 8]", "dense1.bias [3]",
            ],
            keys);
        Assert.Equal(18, net.OutputSize);
        Assert.Equal([6, 8], net.Layers[1].OutputShape);

        // PyTorch's initialisation of recurrent layers: U(±1/√units), biases included.
        TensorInfo recurrent = net.Layers[1].Tensors[0];
        float[] w = net.Parameters.Slice(recurrent.Offset, recurrent.Length).ToArray();
        Assert.All(w, v => Assert.InRange(v, -0.5f, 0.5f));
        Assert.True(w.Max() > 0.3f && w.Min() < -0.3f, "the weights should fill most of ±1/√4");
    }

    [Fact]
    public void A_token_id_outside_the_vocabulary_is_refused_naming_its_position()
    {
        var net = new TinyTagger(seed: 2);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => net.Predict([1, 2, 11, 0, 0, 0], new float[TinyTagger.OutputSize]));
        Assert.Contains("input[2] = 11", error.Message, StringComparison.Ordinal);
        Assert.Contains("embedding1", error.Message, StringComparison.Ordinal);
        var fraction = Assert.Throws<ArgumentOutOfRangeException>(() => net.Predict([1, 2.5f, 1, 0, 0, 0], new float[TinyTagger.OutputSize]));
        Assert.Contains("input[1] = 2.5", fraction.Message, StringComparison.Ordinal);
    }

    private static float[] Predict(INetwork net, float[] ids)
    {
        var output = new float[net.OutputSize];
        net.Predict(ids, output);
        return output;
    }

    private static double Loss(INetwork net, float[] ids, float[] r)
    {
        var workspace = new float[net.WorkspaceSize];
        net.Forward(ids, workspace, training: true, 0);
        double loss = 0;
        for (int i = 0; i < net.OutputSize; i++)
        {
            double v = workspace[net.LogitsOffset + i];
            loss += (r[i] * v) + (0.5 * v * v);
        }

        return loss;
    }

    private static float[] Weights(int count, ulong seed)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, count).Select(_ => rng.NextFloat() - 0.5f).ToArray();
    }
}
