using System;
using System.Collections.Generic;
using System.Linq;

namespace NetGen.Tests.BatchNorm;

/// <summary>
/// A single-threaded training pass over a whole batch, segment by segment, written for the tests independently
/// of the Trainer: forward segment k for every sample, gather the next BatchNorm's statistics, …; then the loss;
/// then backward segments from the last down to the first, gathering each BatchNorm's backward means in between.
/// </summary>
internal sealed class BatchPass
{
    private readonly INetwork _net;
    private readonly AlignedBuffer[] _workspaces;
    private readonly float[] _state;

    public BatchPass(INetwork net, float[][] inputs, int[] labels)
    {
        _net = net;
        Inputs = inputs;
        Labels = labels;
        _workspaces = inputs.Select(_ => new AlignedBuffer(net.WorkspaceSize)).ToArray();
        _state = new float[net.BatchStateSize];
    }

    public float[][] Inputs { get; }

    public int[] Labels { get; }

    public int Count => Inputs.Length;

    /// <summary>Updates the running statistics during <see cref="Forward"/> (off by default, so repeated passes see the same network).</summary>
    public bool UpdateRunningStatistics { get; set; }

    /// <summary>Logits of sample <paramref name="i"/> after <see cref="Forward"/>.</summary>
    public float[] Logits(int i) => _workspaces[i].Span.Slice(_net.LogitsOffset, _net.OutputSize).ToArray();

    /// <summary>The training forward pass of the whole batch; returns the mean softmax cross-entropy, in double.</summary>
    public double Forward()
    {
        for (int segment = 0; segment < _net.SegmentCount; segment++)
        {
            for (int i = 0; i < Count; i++)
            {
                _net.ForwardSegment(segment, Inputs[i], _workspaces[i].Span, _state, training: true, dropoutSeed: (ulong)i);
            }

            foreach (BatchNormInfo bn in _net.BatchNorms.Where(b => b.Segment == segment + 1))
            {
                BatchNormalization.GatherForward(bn, _workspaces, _state, _net.Buffers, UpdateRunningStatistics);
            }
        }

        double loss = 0;
        for (int i = 0; i < Count; i++)
        {
            loss += Gradients.GradientCheck.Loss(_workspaces[i].Span.Slice(_net.LogitsOffset, _net.OutputSize), Labels[i]);
        }

        return loss / Count;
    }

    /// <summary>Forward, then the gradient of the mean loss with respect to every parameter.</summary>
    public float[] Gradient()
    {
        Forward();
        var logitsGradients = new float[Count][];
        for (int i = 0; i < Count; i++)
        {
            logitsGradients[i] = Gradients.GradientCheck.LossGradient(_workspaces[i].Span.Slice(_net.LogitsOffset, _net.OutputSize), Labels[i])
                .Select(g => (float)(g / Count)).ToArray();
        }

        var gradients = new float[_net.ParameterCount];
        for (int segment = _net.SegmentCount - 1; segment >= 0; segment--)
        {
            for (int i = 0; i < Count; i++)
            {
                _net.BackwardSegment(segment, Inputs[i], _workspaces[i].Span, _state, logitsGradients[i], gradients);
            }

            foreach (BatchNormInfo bn in _net.BatchNorms.Where(b => b.Segment == segment))
            {
                BatchNormalization.GatherBackward(bn, _workspaces, _state);
            }
        }

        return gradients;
    }

    /// <summary>
    /// The parameters whose <see cref="Gradient"/> disagrees with central differences of the batch's mean loss
    /// (step 4e-3, the step actually taken in float), each as "name: analytic a, numeric n".
    /// </summary>
    public List<string> FiniteDifferenceFailures()
    {
        float[] analytic = Gradient();
        Span<float> p = _net.Parameters;
        var failures = new List<string>();
        for (int i = 0; i < p.Length; i++)
        {
            float original = p[i];
            const float h = 4e-3f;
            p[i] = original + h;
            double up = Forward();
            float hUp = p[i] - original;
            p[i] = original - h;
            double down = Forward();
            float hDown = original - p[i];
            p[i] = original;
            double numeric = (up - down) / ((double)hUp + hDown);
            double error = Math.Abs(numeric - analytic[i]);
            if (error > (2e-2 * Math.Max(1e-3, Math.Abs(numeric) + Math.Abs(analytic[i]))) + 2e-4)
            {
                failures.Add($"{Gradients.GradientCheck.ParameterName(_net, i)}: analytic {analytic[i]:G6}, numeric {numeric:G6}");
            }
        }

        return failures;
    }

    /// <summary>A batch of uniform random inputs in [-1, 1) and random labels.</summary>
    public static BatchPass Random(INetwork net, int count, ulong seed)
    {
        var rng = new Rng(seed);
        float[][] inputs = Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, net.InputSize).Select(_ => (2f * rng.NextFloat()) - 1f).ToArray()).ToArray();
        int[] labels = Enumerable.Range(0, count).Select(_ => rng.NextInt(net.OutputSize)).ToArray();
        return new BatchPass(net, inputs, labels);
    }
}
