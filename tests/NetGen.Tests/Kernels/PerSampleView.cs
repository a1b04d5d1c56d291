using System;
using System.Collections.Generic;

namespace NetGen.Tests.Kernels;

/// <summary>
/// A network seen without its chunk calls (<see cref="INetwork.IsBatchedSegment"/> is false everywhere): the trainer
/// then runs every segment one sample at a time, the oracle for the Dense layers that run across the batch.
/// </summary>
internal sealed class PerSampleView(INetwork inner) : INetwork
{
    public int InputSize => inner.InputSize;

    public int OutputSize => inner.OutputSize;

    public int ParameterCount => inner.ParameterCount;

    public int WorkspaceSize => inner.WorkspaceSize;

    public int LogitsOffset => inner.LogitsOffset;

    public bool EndsWithSoftmax => inner.EndsWithSoftmax;

    public bool EndsWithSigmoid => inner.EndsWithSigmoid;

    public int TrainableFrom { get => inner.TrainableFrom; set => inner.TrainableFrom = value; }

    public int SegmentCount => inner.SegmentCount;

    public int BatchStateSize => inner.BatchStateSize;

    public IReadOnlyList<BatchNormInfo> BatchNorms => inner.BatchNorms;

    public KernelPath KernelPath { get => inner.KernelPath; set => inner.KernelPath = value; }

    public Span<float> Parameters => inner.Parameters;

    public Span<float> Buffers => inner.Buffers;

    public IReadOnlyList<LayerInfo> Layers => inner.Layers;

    public int PredictWorkspaceSize => inner.PredictWorkspaceSize;

    public void Predict(ReadOnlySpan<float> input, Span<float> output) => inner.Predict(input, output);

    public void Predict(ReadOnlySpan<float> input, Span<float> output, Span<float> workspace) => inner.Predict(input, output, workspace);

    public void Predict(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize) => inner.Predict(inputs, outputs, batchSize);

    public void Forward(ReadOnlySpan<float> input, Span<float> workspace, bool training, ulong dropoutSeed) => inner.Forward(input, workspace, training, dropoutSeed);

    public void Backward(ReadOnlySpan<float> input, Span<float> workspace, ReadOnlySpan<float> logitsGradient, Span<float> gradients) =>
        inner.Backward(input, workspace, logitsGradient, gradients);

    public void ForwardSegment(int segment, ReadOnlySpan<float> input, Span<float> workspace, ReadOnlySpan<float> batchState, bool training, ulong dropoutSeed) =>
        inner.ForwardSegment(segment, input, workspace, batchState, training, dropoutSeed);

    public void BackwardSegment(int segment, ReadOnlySpan<float> input, Span<float> workspace, ReadOnlySpan<float> batchState, ReadOnlySpan<float> logitsGradient, Span<float> gradients) =>
        inner.BackwardSegment(segment, input, workspace, batchState, logitsGradient, gradients);
}
