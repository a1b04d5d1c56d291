using System;
using System.Collections.Generic;

namespace NetGen.Tests.Checkpoints;

/// <summary>
/// A hand-written <see cref="INetwork"/> test double for checkpoints only: a Dense layer then a BatchNorm layer,
/// laid out like a generated network (trainable tensors in <see cref="Parameters"/>, running statistics in
/// <see cref="Buffers"/>). It computes nothing.
/// <code>
/// dense1.weight [2, 3] @ P0   dense1.bias [2] @ P6   bn1.weight [2] @ P8   bn1.bias [2] @ P10
/// bn1.running_mean [2] @ B0   bn1.running_var [2] @ B2
/// </code>
/// </summary>
internal sealed class BatchNormTestNetwork : INetwork
{
    private readonly float[] _parameters = new float[12];
    private readonly float[] _buffers = new float[4];

    /// <param name="seed">Fills parameters and buffers with distinct values from this seed.</param>
    /// <param name="runningVarOffset">Where bn1.running_var claims to live in the buffers (2; 3 makes it overrun them).</param>
    public BatchNormTestNetwork(ulong seed = 1, int runningVarOffset = 2)
    {
        var rng = new Rng(seed);
        for (int i = 0; i < _parameters.Length; i++)
        {
            _parameters[i] = rng.NextGaussian();
        }

        for (int i = 0; i < _buffers.Length; i++)
        {
            _buffers[i] = rng.NextFloat();
        }

        Layers =
        [
            new LayerInfo("dense1", "Dense", [3], [2],
                [new TensorInfo("dense1.weight", 0, [2, 3]), new TensorInfo("dense1.bias", 6, [2])]),
            new LayerInfo("relu1", "ReLU", [2], [2], []),
            new LayerInfo("bn1", "BatchNorm1D", [2], [2],
            [
                new TensorInfo("bn1.weight", 8, [2]),
                new TensorInfo("bn1.bias", 10, [2]),
                new TensorInfo("bn1.running_mean", 0, [2], IsBuffer: true),
                new TensorInfo("bn1.running_var", runningVarOffset, [2], IsBuffer: true),
            ]),
        ];
    }

    public int InputSize => 3;

    public int OutputSize => 2;

    public int ParameterCount => _parameters.Length;

    public int WorkspaceSize => 0;

    public int LogitsOffset => 0;

    public bool EndsWithSoftmax => false;

    public KernelPath KernelPath { get; set; }

    public int TrainableFrom { get; set; }

    public Span<float> Parameters => _parameters;

    public Span<float> Buffers => _buffers;

    public IReadOnlyList<LayerInfo> Layers { get; }

    public void Predict(ReadOnlySpan<float> input, Span<float> output) => throw new NotSupportedException();

    public void Predict(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize) => throw new NotSupportedException();

    public void Forward(ReadOnlySpan<float> input, Span<float> workspace, bool training, ulong dropoutSeed) =>
        throw new NotSupportedException();

    public void Backward(ReadOnlySpan<float> input, Span<float> workspace, ReadOnlySpan<float> logitsGradient, Span<float> gradients) =>
        throw new NotSupportedException();
}
