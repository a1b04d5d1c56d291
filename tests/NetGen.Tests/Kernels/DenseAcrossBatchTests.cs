using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>
/// A Dense layer across the batch (<see cref="INetwork.ForwardChunk"/> / <see cref="INetwork.BackwardChunk"/>) must
/// give, bit for bit, what its per-sample kernels give sample after sample: the chunk kernels run the same fused
/// multiply-adds in the same order (dw and db add the samples in order, dx the rows in order, the forward sums are
/// the per-sample tile's). The per-sample kernels are held to the scalar reference elsewhere (path agreement,
/// gradient checks), and here once more within rounding.
/// </summary>
public sealed class DenseAcrossBatchTests
{
    private static readonly Dictionary<string, Func<INetwork>> Networks = new()
    {
        ["ragged"] = () => new AcrossBatchRagged(seed: 21),
        ["plain"] = () => new AcrossBatchPlain(seed: 22),
        ["dropout"] = () => new AcrossBatchDropout(seed: 23),
    };

    public static TheoryData<string, KernelPath, int> Cases()
    {
        var data = new TheoryData<string, KernelPath, int>();
        foreach (string name in Networks.Keys)
        {
            foreach (KernelPath path in new[] { KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512 })
            {
                foreach (int count in new[] { 1, 4, 7 })
                {
                    data.Add(name, path, count);
                }
            }
        }

        return data;
    }

    private static bool Accelerated(KernelPath path) =>
        path switch
        {
            KernelPath.Vector256 => Vector256.IsHardwareAccelerated,
            KernelPath.Vector512 => Vector512.IsHardwareAccelerated,
            _ => true,
        };

    [Fact]
    public void Only_big_Dense_layers_below_the_logits_run_across_the_batch()
    {
        INetwork ragged = new AcrossBatchRagged(seed: 1);
        Assert.Equal(3, ragged.SegmentCount); // conv1 + relu1 | dense1 + relu2 | dense2
        Assert.Equal([false, true, false], new[] { ragged.IsBatchedSegment(0), ragged.IsBatchedSegment(1), ragged.IsBatchedSegment(2) });
        Assert.True(ragged.ChunkStride >= ragged.WorkspaceSize && ragged.ChunkStride % 16 == 0);

        // LeNet-5's Dense layers (400 × 120 the largest: 48,000 weights) stay per sample, and so does its one segment.
        INetwork lenet = new PathLeNet5(seed: 1);
        Assert.Equal(1, lenet.SegmentCount);
        Assert.False(lenet.IsBatchedSegment(0));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_chunk_gives_what_its_samples_give_one_at_a_time_bit_for_bit(string name, KernelPath path, int count)
    {
        if (!Accelerated(path))
        {
            return; // not accelerated here: the path would run in software emulation
        }

        INetwork net = Networks[name]();
        net.KernelPath = path;
        (float[][] inputs, float[][] logitsGradients) = Batch(net, count, seed: (ulong)count);

        (float[] perSampleLogits, float[] perSampleGradients) = RunPerSample(net, inputs, logitsGradients);
        (float[] chunkLogits, float[] chunkGradients) = RunChunked(net, inputs, logitsGradients);

        AssertBitEqual(perSampleLogits, chunkLogits, name + " logits");
        AssertBitEqual(perSampleGradients, chunkGradients, name + " gradients");
        Assert.Contains(chunkGradients, g => g != 0f);
    }

    [Theory]
    [InlineData("ragged")]
    [InlineData("plain")]
    public void Segments_give_the_whole_pass_bit_for_bit_and_the_vector_chunks_agree_with_the_scalar_reference(string name)
    {
        INetwork net = Networks[name]();
        (float[][] inputs, float[][] logitsGradients) = Batch(net, 5, seed: 9);

        // Without dropout the whole pass (Forward, Backward) and the segments run the same kernels on each sample,
        // and every parameter's gradient adds the samples in the same order.
        net.KernelPath = KernelPath.Scalar;
        (float[] wholeLogits, float[] wholeGradients) = RunWhole(net, inputs, logitsGradients);
        (float[] scalarLogits, float[] scalarGradients) = RunChunked(net, inputs, logitsGradients);
        AssertBitEqual(wholeLogits, scalarLogits, "scalar logits");
        AssertBitEqual(wholeGradients, scalarGradients, "scalar gradients");

        foreach (KernelPath path in new[] { KernelPath.Vector256, KernelPath.Vector512 })
        {
            if (!Accelerated(path))
            {
                continue;
            }

            net.KernelPath = path;
            (float[] logits, float[] gradients) = RunChunked(net, inputs, logitsGradients);
            AssertClose(scalarLogits, logits, path + " logits");
            AssertClose(scalarGradients, gradients, path + " gradients");
        }
    }

    [Fact]
    public void A_frozen_Dense_across_the_batch_adds_no_gradient()
    {
        var net = new AcrossBatchRagged(seed: 4);
        net.TrainableFrom = 4; // dense2 only
        (float[][] inputs, float[][] logitsGradients) = Batch(net, 6, seed: 3);
        (_, float[] gradients) = RunChunked(net, inputs, logitsGradients);
        TensorInfo weight = net.Layers[2].Tensors[0]; // dense1.weight
        Assert.All(gradients.AsSpan(weight.Offset, weight.Length).ToArray(), g => Assert.Equal(0f, g));
        TensorInfo head = net.Layers[4].Tensors[0];
        Assert.Contains(gradients.AsSpan(head.Offset, head.Length).ToArray(), g => g != 0f);
    }

    [Fact]
    public void Chunk_calls_refuse_per_sample_segments_and_short_workspaces_by_name()
    {
        INetwork net = new AcrossBatchRagged(seed: 5);
        var workspaces = new float[3 * net.ChunkStride];
        var notBatched = Assert.Throws<ArgumentOutOfRangeException>(() => net.ForwardChunk(0, workspaces, 3));
        Assert.Equal("segment", notBatched.ParamName);
        Assert.Contains("one sample at a time", notBatched.Message, StringComparison.Ordinal);
        var shortOne = Assert.Throws<ArgumentException>(() => net.ForwardChunk(1, workspaces, 4));
        Assert.Equal("workspaces", shortOne.ParamName);
        Assert.Contains(net.ChunkStride.ToString(System.Globalization.CultureInfo.InvariantCulture), shortOne.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => net.BackwardChunk(1, workspaces, -1, new float[net.ParameterCount]));
        Assert.Throws<ArgumentException>(() => net.BackwardChunk(1, workspaces, 3, new float[net.ParameterCount - 1]));
        Assert.Throws<NotSupportedException>(() => ((INetwork)new PathLeNet5(seed: 1)).ForwardChunk(0, workspaces, 1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_trainer_gives_the_weights_of_per_sample_training_bit_for_bit(int threads)
    {
        // The same network behind a view that hides the chunk calls: the trainer then runs every segment one sample at a time.
        var data = RandomData(new AcrossBatchDropout(seed: 0), 40, seed: 8);
        var chunked = new AcrossBatchDropout(seed: 31);
        var perSample = new AcrossBatchDropout(seed: 31);
        using (var trainer = new Trainer(chunked, new Sgd(0.05f, momentum: 0.9f), threads))
        using (var reference = new Trainer(new PerSampleView(perSample), new Sgd(0.05f, momentum: 0.9f), threads))
        {
            for (int step = 0; step < 4; step++)
            {
                int[] batch = new int[13 + step];
                for (int i = 0; i < batch.Length; i++)
                {
                    batch[i] = ((step * 7) + (i * 3)) % data.Count;
                }

                float a = trainer.TrainBatch(data, batch, (ulong)step);
                float b = reference.TrainBatch(data, batch, (ulong)step);
                Assert.Equal(BitConverter.SingleToInt32Bits(b), BitConverter.SingleToInt32Bits(a));
            }
        }

        AssertBitEqual(perSample.Parameters.ToArray(), chunked.Parameters.ToArray(), "parameters after 4 steps");
        Assert.NotEqual(new AcrossBatchDropout(seed: 31).Parameters.ToArray(), chunked.Parameters.ToArray());
    }

    private static Dataset RandomData(INetwork net, int count, ulong seed)
    {
        var rng = new Rng(seed);
        var features = new float[count * net.InputSize];
        var labels = new int[count];
        for (int s = 0; s < count; s++)
        {
            labels[s] = s % net.OutputSize;
            for (int i = 0; i < net.InputSize; i++)
            {
                features[(s * net.InputSize) + i] = rng.NextFloat() - 0.5f + (i % net.OutputSize == labels[s] ? 0.5f : 0f);
            }
        }

        int[] shape = [.. net.Layers[0].InputShape];
        return new Dataset(features, labels, shape, net.OutputSize);
    }

    private static (float[][] Inputs, float[][] LogitsGradients) Batch(INetwork net, int count, ulong seed)
    {
        var rng = new Rng(seed + 100);
        var inputs = new float[count][];
        var logitsGradients = new float[count][];
        for (int s = 0; s < count; s++)
        {
            inputs[s] = new float[net.InputSize];
            logitsGradients[s] = new float[net.OutputSize];
            for (int i = 0; i < inputs[s].Length; i++)
            {
                inputs[s][i] = (rng.NextFloat() * 2f) - 1f;
            }

            for (int i = 0; i < logitsGradients[s].Length; i++)
            {
                logitsGradients[s][i] = rng.NextFloat() - 0.5f;
            }
        }

        return (inputs, logitsGradients);
    }

    private static ulong Seed(int sample) => Rng.Mix(77, (ulong)sample);

    /// <summary>Every segment, forward then backward, one sample at a time on its own workspace.</summary>
    private static (float[] Logits, float[] Gradients) RunPerSample(INetwork net, float[][] inputs, float[][] logitsGradients)
    {
        int n = inputs.Length;
        var workspaces = new float[n][];
        for (int s = 0; s < n; s++)
        {
            workspaces[s] = new float[net.WorkspaceSize];
        }

        for (int segment = 0; segment < net.SegmentCount; segment++)
        {
            for (int s = 0; s < n; s++)
            {
                net.ForwardSegment(segment, inputs[s], workspaces[s], [], training: true, Seed(s));
            }
        }

        var gradients = new float[net.ParameterCount];
        for (int segment = net.SegmentCount - 1; segment >= 0; segment--)
        {
            for (int s = 0; s < n; s++)
            {
                net.BackwardSegment(segment, inputs[s], workspaces[s], [], logitsGradients[s], gradients);
            }
        }

        return (Logits(net, n, s => workspaces[s]), gradients);
    }

    /// <summary>The same, with the batched segments on the chunk calls over adjacent workspaces.</summary>
    private static (float[] Logits, float[] Gradients) RunChunked(INetwork net, float[][] inputs, float[][] logitsGradients)
    {
        int n = inputs.Length, stride = net.ChunkStride;
        var chunk = new float[n * stride];
        Span<float> Workspace(int s) => chunk.AsSpan(s * stride, net.WorkspaceSize);
        for (int segment = 0; segment < net.SegmentCount; segment++)
        {
            if (net.IsBatchedSegment(segment))
            {
                net.ForwardChunk(segment, chunk, n);
                continue;
            }

            for (int s = 0; s < n; s++)
            {
                net.ForwardSegment(segment, inputs[s], Workspace(s), [], training: true, Seed(s));
            }
        }

        var gradients = new float[net.ParameterCount];
        for (int segment = net.SegmentCount - 1; segment >= 0; segment--)
        {
            if (net.IsBatchedSegment(segment))
            {
                net.BackwardChunk(segment, chunk, n, gradients);
                continue;
            }

            for (int s = 0; s < n; s++)
            {
                net.BackwardSegment(segment, inputs[s], Workspace(s), [], logitsGradients[s], gradients);
            }
        }

        return (Logits(net, n, s => chunk.AsSpan(s * stride, net.WorkspaceSize).ToArray()), gradients);
    }

    /// <summary>The whole training pass (Forward, Backward) of each sample in turn.</summary>
    private static (float[] Logits, float[] Gradients) RunWhole(INetwork net, float[][] inputs, float[][] logitsGradients)
    {
        var gradients = new float[net.ParameterCount];
        var logits = new float[inputs.Length * net.OutputSize];
        var workspace = new float[net.WorkspaceSize];
        for (int s = 0; s < inputs.Length; s++)
        {
            net.Forward(inputs[s], workspace, training: true, Seed(s));
            workspace.AsSpan(net.LogitsOffset, net.OutputSize).CopyTo(logits.AsSpan(s * net.OutputSize));
            net.Backward(inputs[s], workspace, logitsGradients[s], gradients);
        }

        return (logits, gradients);
    }

    private static float[] Logits(INetwork net, int n, Func<int, float[]> workspace)
    {
        var logits = new float[n * net.OutputSize];
        for (int s = 0; s < n; s++)
        {
            workspace(s).AsSpan(net.LogitsOffset, net.OutputSize).CopyTo(logits.AsSpan(s * net.OutputSize));
        }

        return logits;
    }

    private static void AssertBitEqual(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{what} differ first at {i}: {expected[i]:R} one at a time, {actual[i]:R} across the chunk");
            }
        }
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        float scale = 0f;
        foreach (float e in expected)
        {
            scale = MathF.Max(scale, MathF.Abs(e));
        }

        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-4f * (1f + scale), $"{what} at {i}: scalar {expected[i]:R}, vector {actual[i]:R}");
        }
    }
}
