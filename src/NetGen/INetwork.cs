using System;
using System.Collections.Generic;

namespace NetGen;

/// <summary>
/// The contract every generated network implements. Shapes, parameter offsets and workspace offsets are
/// compile-time constants of the generated class; this interface exposes them to the runtime (trainer,
/// optimizers, checkpoints) without reflection.
/// </summary>
/// <remarks>
/// Training works one sample at a time on a caller-owned <em>workspace</em> of <see cref="WorkspaceSize"/>
/// floats that holds every activation, delta and dropout mask of that sample, so several threads can run
/// <see cref="Forward"/> and <see cref="Backward"/> at once, each with its own workspace and gradient buffer.
/// </remarks>
public interface INetwork
{
    /// <summary>Floats in one input sample (the product of the <c>[Input]</c> shape).</summary>
    int InputSize { get; }

    /// <summary>Floats in one output sample.</summary>
    int OutputSize { get; }

    /// <summary>Number of trainable parameters (the length of <see cref="Parameters"/>).</summary>
    int ParameterCount { get; }

    /// <summary>Floats of per-sample training workspace needed by <see cref="Forward"/> and <see cref="Backward"/>.</summary>
    int WorkspaceSize { get; }

    /// <summary>Offset in the workspace of the logits: the output before a trailing softmax (or the output itself).</summary>
    int LogitsOffset { get; }

    /// <summary>True when the last layer is a softmax, which losses fuse with cross-entropy.</summary>
    bool EndsWithSoftmax { get; }

    /// <summary>True when the last layer is a sigmoid, which losses fuse with binary cross-entropy (the logits are the values before it).</summary>
    bool EndsWithSigmoid => false;

    /// <summary>
    /// Index of the lowest layer whose parameters train (default 0: all). <see cref="Backward"/> stops below it:
    /// frozen layers underneath get no gradient and cost nothing. Layers above it that are frozen too still get
    /// gradients; the trainer simply does not apply them. <see cref="Layers"/>.Count freezes every layer.
    /// </summary>
    int TrainableFrom { get; set; }

    /// <summary>
    /// Segments of a training pass: 1, plus one per BatchNorm layer. BatchNorm normalizes with statistics of the
    /// whole batch, so a training pass runs segment by segment over every sample of the batch, and the runtime
    /// gathers the statistics in between (see <see cref="BatchNormalization"/>). In a network without BatchNorm, each
    /// Dense layer that runs across the batch (<see cref="IsBatchedSegment"/>) is a segment of its own, with a segment
    /// for the layers before and after it.
    /// </summary>
    int SegmentCount => 1;

    /// <summary>Floats of batch state shared by all samples of a batch between segments (0 without BatchNorm).</summary>
    int BatchStateSize => 0;

    /// <summary>The BatchNorm layers, in order; segment <c>k</c> (from 1) starts at BatchNorm <c>k − 1</c>.</summary>
    IReadOnlyList<BatchNormInfo> BatchNorms => Array.Empty<BatchNormInfo>();

    /// <summary>
    /// Which generated kernels this instance runs (default <see cref="KernelPath.Auto"/>: the widest the CPU
    /// accelerates). All paths compute the same function; tests compare them. <see cref="ActiveKernelPath"/> says
    /// which one <see cref="KernelPath.Auto"/> runs. A generated network rejects a value that is not a
    /// <see cref="NetGen.KernelPath"/> member with an <see cref="ArgumentOutOfRangeException"/>.
    /// </summary>
    KernelPath KernelPath { get; set; }

    /// <summary>
    /// The kernels that run now: <see cref="KernelPath"/> with <see cref="KernelPath.Auto"/> resolved as the dispatch
    /// resolves it (<see cref="Kernels.Resolve"/>): <see cref="KernelPath.Vector512"/> where Vector512 is hardware
    /// accelerated, else <see cref="KernelPath.Vector256"/> where Vector256 is, else <see cref="KernelPath.Scalar"/>.
    /// Never <see cref="KernelPath.Auto"/>.
    /// </summary>
    KernelPath ActiveKernelPath => Kernels.Resolve(KernelPath);

    /// <summary>
    /// <see cref="InputSize"/>, <see cref="OutputSize"/>, <see cref="ParameterCount"/> and <see cref="WorkspaceSize"/>
    /// in one value. A generated network has them as constants of its class (<c>LeNet5.OutputSize</c>); from an
    /// instance, <c>net.Sizes.OutputSize</c> (see <see cref="NetworkSizes"/> for why not <c>net.OutputSize</c>).
    /// </summary>
    NetworkSizes Sizes => new(InputSize, OutputSize, ParameterCount, WorkspaceSize);

    /// <summary>All parameters in one flat, 64-byte aligned buffer, at the offsets given by <see cref="Layers"/>.</summary>
    Span<float> Parameters { get; }

    /// <summary>
    /// Non-trainable state in one flat buffer (BatchNorm's running statistics), at the offsets of the
    /// <see cref="LayerInfo"/> tensors marked <see cref="TensorInfo.IsBuffer"/>; empty when the network has none.
    /// Saved in checkpoints, never touched by optimizers.
    /// </summary>
    Span<float> Buffers => Span<float>.Empty;

    /// <summary>The layers in order, with their names, shapes and parameter tensors.</summary>
    IReadOnlyList<LayerInfo> Layers { get; }

    /// <summary>Runs one sample through the network in evaluation mode (dropout off).</summary>
    /// <param name="input">Exactly <see cref="InputSize"/> floats.</param>
    /// <param name="output">Exactly <see cref="OutputSize"/> floats.</param>
    void Predict(ReadOnlySpan<float> input, Span<float> output);

    /// <summary>
    /// Floats of the workspace <see cref="Predict(ReadOnlySpan{float}, Span{float}, Span{float})"/> needs: generated
    /// networks give their evaluation layout (values share the floats of values no later layer reads), which is
    /// smaller than <see cref="WorkspaceSize"/>. 0 (the default for networks written by hand): there is no such
    /// overload, and the trainer evaluates with <see cref="Forward"/> instead.
    /// </summary>
    int PredictWorkspaceSize => 0;

    /// <summary>
    /// Runs one sample in evaluation mode on a caller-owned workspace, so several threads can predict with one
    /// instance at once (the two-argument overload uses the instance's own workspace: one call at a time).
    /// </summary>
    /// <param name="input">Exactly <see cref="InputSize"/> floats.</param>
    /// <param name="output">Exactly <see cref="OutputSize"/> floats.</param>
    /// <param name="workspace">At least <see cref="PredictWorkspaceSize"/> floats; what it holds on entry does not matter.</param>
    /// <exception cref="NotSupportedException">The network has no caller-workspace predict (<see cref="PredictWorkspaceSize"/> is 0).</exception>
    void Predict(ReadOnlySpan<float> input, Span<float> output, Span<float> workspace) =>
        throw new NotSupportedException(GetType().Name + " has no Predict over a caller's workspace (PredictWorkspaceSize is 0); use Predict(input, output) or Forward.");

    /// <summary>Runs a batch of samples laid out one after another.</summary>
    /// <param name="inputs"><paramref name="batchSize"/> × <see cref="InputSize"/> floats.</param>
    /// <param name="outputs"><paramref name="batchSize"/> × <see cref="OutputSize"/> floats.</param>
    /// <param name="batchSize">Number of samples.</param>
    void Predict(ReadOnlySpan<float> inputs, Span<float> outputs, int batchSize);

    /// <summary>
    /// Forward pass of one sample, keeping every activation in <paramref name="workspace"/> for
    /// <see cref="Backward"/>. The logits end up at <see cref="LogitsOffset"/>.
    /// </summary>
    /// <param name="input"><see cref="InputSize"/> floats.</param>
    /// <param name="workspace"><see cref="WorkspaceSize"/> floats owned by the caller.</param>
    /// <param name="training">True turns dropout on.</param>
    /// <param name="dropoutSeed">Seeds this sample's dropout masks, so results do not depend on thread scheduling.</param>
    void Forward(ReadOnlySpan<float> input, Span<float> workspace, bool training, ulong dropoutSeed);

    /// <summary>
    /// Backward pass of the sample last run through <see cref="Forward"/> on the same workspace: adds the
    /// gradient of the loss with respect to every parameter into <paramref name="gradients"/>.
    /// </summary>
    /// <param name="input">The same input given to <see cref="Forward"/>.</param>
    /// <param name="workspace">The workspace <see cref="Forward"/> filled.</param>
    /// <param name="logitsGradient">d loss / d logits, <see cref="OutputSize"/> floats.</param>
    /// <param name="gradients"><see cref="ParameterCount"/> floats, accumulated into (not overwritten).</param>
    void Backward(ReadOnlySpan<float> input, Span<float> workspace, ReadOnlySpan<float> logitsGradient, Span<float> gradients);

    /// <summary>
    /// Forward segment <paramref name="segment"/> of one sample of a batch. In training, a segment that ends
    /// before a BatchNorm leaves the sample's statistics of that layer's input in the workspace, and a segment that
    /// starts at a BatchNorm reads the batch's statistics from <paramref name="batchState"/>. Without BatchNorm
    /// there is one segment and this is <see cref="Forward"/>.
    /// </summary>
    /// <param name="segment">In [0, <see cref="SegmentCount"/>).</param>
    /// <param name="input"><see cref="InputSize"/> floats.</param>
    /// <param name="workspace">This sample's workspace, kept across the segments of the batch.</param>
    /// <param name="batchState"><see cref="BatchStateSize"/> floats, filled by <see cref="BatchNormalization.GatherForward"/>.</param>
    /// <param name="training">True for batch statistics and dropout; false for running statistics.</param>
    /// <param name="dropoutSeed">The sample's dropout seed.</param>
    void ForwardSegment(int segment, ReadOnlySpan<float> input, Span<float> workspace, ReadOnlySpan<float> batchState, bool training, ulong dropoutSeed)
    {
        Guard.Segment(segment, 1, nameof(segment));
        Forward(input, workspace, training, dropoutSeed);
    }

    /// <summary>
    /// Whether segment <paramref name="segment"/> runs across a chunk of samples at once (<see cref="ForwardChunk"/>,
    /// <see cref="BackwardChunk"/>): a Dense layer big enough that reading its weights once per sample costs more
    /// than the samples' arithmetic. Its <see cref="ForwardSegment"/> and <see cref="BackwardSegment"/> still run it one
    /// sample at a time, with the same results.
    /// </summary>
    bool IsBatchedSegment(int segment) => false;

    /// <summary>Floats between two samples' workspaces in a chunk: at least <see cref="WorkspaceSize"/>.</summary>
    int ChunkStride => WorkspaceSize;

    /// <summary>
    /// Forward segment <paramref name="segment"/> (one that <see cref="IsBatchedSegment"/>) for <paramref name="count"/>
    /// samples whose workspaces lie <see cref="ChunkStride"/> floats apart in <paramref name="workspaces"/>, each filled by
    /// the segments before it. Gives bit for bit what <see cref="ForwardSegment"/> gives on each sample.
    /// </summary>
    /// <param name="segment">A batched segment.</param>
    /// <param name="workspaces">At least <paramref name="count"/> × <see cref="ChunkStride"/> floats.</param>
    /// <param name="count">Samples in the chunk (0 or more).</param>
    void ForwardChunk(int segment, Span<float> workspaces, int count) =>
        throw new NotSupportedException(GetType().Name + " has no segment that runs across a chunk of samples (IsBatchedSegment is false for every segment).");

    /// <summary>
    /// Backward segment <paramref name="segment"/> (one that <see cref="IsBatchedSegment"/>) for a chunk: adds the
    /// chunk's parameter gradients into <paramref name="gradients"/> sample after sample, so the sums are bit for bit
    /// those of <see cref="BackwardSegment"/> on each sample in order.
    /// </summary>
    /// <param name="segment">A batched segment.</param>
    /// <param name="workspaces">The chunk's workspaces, as <see cref="ForwardChunk"/> left them and the segments above filled in.</param>
    /// <param name="count">Samples in the chunk.</param>
    /// <param name="gradients"><see cref="ParameterCount"/> floats, accumulated into.</param>
    void BackwardChunk(int segment, Span<float> workspaces, int count, Span<float> gradients) =>
        throw new NotSupportedException(GetType().Name + " has no segment that runs across a chunk of samples (IsBatchedSegment is false for every segment).");

    /// <summary>
    /// Backward segment <paramref name="segment"/> of one sample, run from the last segment down to the first:
    /// adds the gradient of the layers in the segment into <paramref name="gradients"/>; a segment that ends at a
    /// BatchNorm leaves that layer's per-sample sums in the workspace for <see cref="BatchNormalization.GatherBackward"/>.
    /// </summary>
    /// <param name="segment">In [0, <see cref="SegmentCount"/>).</param>
    /// <param name="input">The sample's input.</param>
    /// <param name="workspace">The workspace its forward segments filled.</param>
    /// <param name="batchState">The batch state.</param>
    /// <param name="logitsGradient">d loss / d logits (read by the last segment).</param>
    /// <param name="gradients"><see cref="ParameterCount"/> floats, accumulated into.</param>
    void BackwardSegment(int segment, ReadOnlySpan<float> input, Span<float> workspace, ReadOnlySpan<float> batchState, ReadOnlySpan<float> logitsGradient, Span<float> gradients)
    {
        Guard.Segment(segment, 1, nameof(segment));
        Backward(input, workspace, logitsGradient, gradients);
    }
}
