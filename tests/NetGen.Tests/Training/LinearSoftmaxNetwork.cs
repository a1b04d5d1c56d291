using System;
using System.Collections.Generic;
using System.Threading;

namespace NetGen.Tests.Training;

/// <summary>
/// A hand-written <see cref="INetwork"/> test double: softmax regression, logits = W·drop(x) + b, with W in
/// PyTorch's [out, in] layout followed by b in the flat parameter buffer, an optional inverted dropout on the
/// input (masks drawn from the dropout seed) and an exact analytical backward pass.
/// Workspace: [dropped input (In) | logits (Out)], so the logits sit at a non-zero offset.
/// </summary>
internal sealed class LinearSoftmaxNetwork : INetwork
{
    private readonly AlignedBuffer _parameters;
    private readonly float _dropout;
    private int _forwardCalls;

    public LinearSoftmaxNetwork(int inputSize, int classes, ulong seed = 1, float dropout = 0f)
    {
        InputSize = inputSize;
        OutputSize = classes;
        _dropout = dropout;
        _parameters = new AlignedBuffer((inputSize * classes) + classes);
        var rng = new Rng(seed);
        Initializers.GlorotUniform(Weights, inputSize, classes, ref rng);
        Layers =
        [
            new LayerInfo("dense1", "Dense", [inputSize], [classes],
                [new TensorInfo("dense1.weight", 0, [classes, inputSize]), new TensorInfo("dense1.bias", inputSize * classes, [classes])]),
        ];
    }

    public int InputSize { get; }

    public int OutputSize { get; }

    public int ParameterCount => _parameters.Length;

    public int WorkspaceSize => InputSize + OutputSize;

    /// <summary>Ignored: the double has one (scalar) path.</summary>
    public KernelPath KernelPath { get; set; }

    /// <summary>0 trains the one layer; 1 freezes it, and <see cref="Backward"/> then adds nothing.</summary>
    public int TrainableFrom { get; set; }

    public int LogitsOffset => InputSize;

    public bool EndsWithSoftmax => false;

    public Span<float> Parameters => _parameters.Span;

    public Span<float> Weights => _parameters.Span[..(InputSize * OutputSize)];

    public Span<float> Bias => _parameters.Span[(InputSize * OutputSize)..];

    public IReadOnlyList<LayerInfo> Layers { get; }

    /// <summary>Samples run through <see cref="Forward"/> so far (thread-safe).</summary>
    public int ForwardCalls => Volatile.Read(ref _forwardCalls);

    /// <summary>When set, <see cref="Forward"/> throws for inputs whose first value equals it.</summary>
    public float? ThrowOnFirstValue { get; set; }

    /// <summary>When set, <see cref="Forward"/> calls it first (on whichever thread runs the sample).</summary>
    public Action? BeforeForward { get; set; }

    public void Predict(ReadOnlySpan<float> input, Span<float> output)
    {
        ReadOnlySpan<float> p = _parameters.Span;
        for (int o = 0; o < OutputSize; o++)
        {
            float s = p[(InputSize * OutputSize) + o];
            for (int i = 0; i < InputSize; i++)
            {
                s += p[(o * InputSize) + i] * input[i];
            }

            output[o] = s;
        }
    }

    public void Predict(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize)
    {
        for (int b = 0; b < batchSize; b++)
        {
            Predict(inputs.Slice(b * InputSize, InputSize), outputs.Slice(b * OutputSize, OutputSize));
        }
    }

    public void Forward(ReadOnlySpan<float> input, Span<float> workspace, bool training, ulong dropoutSeed)
    {
        Interlocked.Increment(ref _forwardCalls);
        BeforeForward?.Invoke();
        if (ThrowOnFirstValue is float bad && input[0] == bad)
        {
            throw new InvalidOperationException("test failure in Forward");
        }

        Span<float> x = workspace[..InputSize];
        if (training && _dropout > 0f)
        {
            var rng = new Rng(dropoutSeed);
            float keep = 1f / (1f - _dropout);
            for (int i = 0; i < InputSize; i++)
            {
                x[i] = rng.NextFloat() < _dropout ? 0f : input[i] * keep;
            }
        }
        else
        {
            input.CopyTo(x);
        }

        Predict(x, workspace.Slice(LogitsOffset, OutputSize));
    }

    public void Backward(ReadOnlySpan<float> input, Span<float> workspace, ReadOnlySpan<float> logitsGradient, Span<float> gradients)
    {
        if (TrainableFrom > 0)
        {
            return;
        }

        ReadOnlySpan<float> x = workspace[..InputSize];
        for (int o = 0; o < OutputSize; o++)
        {
            float g = logitsGradient[o];
            for (int i = 0; i < InputSize; i++)
            {
                gradients[(o * InputSize) + i] += g * x[i];
            }

            gradients[(InputSize * OutputSize) + o] += g;
        }
    }
}
