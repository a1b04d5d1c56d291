using System.Diagnostics.CodeAnalysis;
using ILGPU;

namespace NetGen.Gpu;

/// <summary>
/// Every device buffer a generated kernel reads or writes, passed to each kernel as one value. Per-sample buffers
/// hold the samples of a batch one after another, each laid out exactly as the CPU path lays out one sample
/// (the same workspace offsets), so a batch of <c>n</c> samples is <c>n</c> CPU workspaces side by side.
/// </summary>
/// <remarks>
/// Kernels take value-type parameters only; this struct is how they receive a dozen views at once. Views a
/// network does not use are one-float placeholders, never empty.
/// </remarks>
[SuppressMessage("Design", "CA1051:Do not declare visible instance fields", Justification = "A kernel parameter: ILGPU passes structs field by field.")]
[SuppressMessage("Performance", "CA1815:Override equals and operator equals on value types", Justification = "A kernel parameter, never compared.")]
public struct GpuViews
{
    /// <summary>The batch's inputs: <c>Count × InputSize</c> floats.</summary>
    public ArrayView<float> Input;

    /// <summary>The batch's workspaces: <c>Count × WorkspaceSize</c> floats (activations, deltas, masks, BatchNorm's x̂ and statistics).</summary>
    public ArrayView<float> Workspace;

    /// <summary>The network's parameters, at the offsets of <see cref="INetwork.Layers"/>.</summary>
    public ArrayView<float> Parameters;

    /// <summary>The gradient of the batch's mean loss, aligned with <see cref="Parameters"/>.</summary>
    public ArrayView<float> Gradients;

    /// <summary>d loss / d logits of each sample: <c>Count × OutputSize</c> floats.</summary>
    public ArrayView<float> LogitsGradient;

    /// <summary>Non-trainable state (BatchNorm's running statistics), as <see cref="INetwork.Buffers"/>.</summary>
    public ArrayView<float> Buffers;

    /// <summary>BatchNorm's batch state (mean, 1/σ, mean dy, mean dy·x̂ per channel), <see cref="INetwork.BatchStateSize"/> floats.</summary>
    public ArrayView<float> State;

    /// <summary>The features of the data set on the device, one sample after another.</summary>
    public ArrayView<float> Data;

    /// <summary>The data set's labels.</summary>
    public ArrayView<int> Labels;

    /// <summary>The data set's float targets (<see cref="GpuStep.TargetSize"/> per sample) when it has them.</summary>
    public ArrayView<float> Targets;

    /// <summary>The batch: the data-set index of each of its <see cref="GpuStep.Count"/> samples.</summary>
    public ArrayView<int> Indices;

    /// <summary>Each sample's loss, written by the loss kernels.</summary>
    public ArrayView<float> Losses;

    /// <summary>1 where a sample's prediction matches its label, written by the loss kernels.</summary>
    public ArrayView<int> Correct;

    /// <summary>Per batch of an epoch: the sum of its samples' losses.</summary>
    public ArrayView<float> BatchLoss;

    /// <summary>Per batch of an epoch: its correct predictions.</summary>
    public ArrayView<int> BatchCorrect;

    /// <summary>[0]: 1 once a batch's loss was not finite (every later update is skipped); [1]: that batch.</summary>
    public ArrayView<int> Status;

    /// <summary>SGD's momentum buffer, or Adam's first moment.</summary>
    public ArrayView<float> Moment1;

    /// <summary>Adam's second moment.</summary>
    public ArrayView<float> Moment2;

    /// <summary>Room for one float per thread of a grid-stride launch, for reductions (gradient clipping uses one per group).</summary>
    public ArrayView<float> Partials;

    /// <summary>Small results: [0] the gradient-clipping factor, [1] the gradient's global norm.</summary>
    public ArrayView<float> Scalars;
}

/// <summary>What one launch of a network's layer, loss or data kernels needs besides the buffers.</summary>
[SuppressMessage("Design", "CA1051:Do not declare visible instance fields", Justification = "A kernel parameter: ILGPU passes structs field by field.")]
[SuppressMessage("Performance", "CA1815:Override equals and operator equals on value types", Justification = "A kernel parameter, never compared.")]
public struct GpuStep
{
    /// <summary>Samples in the batch.</summary>
    public int Count;

    /// <summary>1 for a training pass (BatchNorm with batch statistics, dropout on), 0 for evaluation.</summary>
    public int Training;

    /// <summary>1 to move BatchNorm's running statistics toward the batch's (training passes of a step).</summary>
    public int UpdateStatistics;

    /// <summary>Seeds the dropout masks (with each sample's data-set index).</summary>
    public ulong Seed;

    /// <summary>Multiplies the loss gradient: 1 / batch size for the gradient of the batch mean, 0 for evaluation.</summary>
    public float Scale;

    /// <summary>Where the tally of this batch goes in <see cref="GpuViews.BatchLoss"/> and <see cref="GpuViews.BatchCorrect"/>.</summary>
    public int Batch;

    /// <summary>Floats of target per sample in <see cref="GpuViews.Targets"/>, 0 when the data set has none.</summary>
    public int TargetSize;
}

/// <summary>One optimizer update (or gradient-clipping pass) over one parameter group.</summary>
[SuppressMessage("Design", "CA1051:Do not declare visible instance fields", Justification = "A kernel parameter: ILGPU passes structs field by field.")]
[SuppressMessage("Performance", "CA1815:Override equals and operator equals on value types", Justification = "A kernel parameter, never compared.")]
public struct GpuUpdate
{
    /// <summary>The group's first parameter.</summary>
    public int Offset;

    /// <summary>The group's length.</summary>
    public int Length;

    /// <summary>SGD: the group's learning rate.</summary>
    public float LearningRate;

    /// <summary>SGD: momentum μ (0: none).</summary>
    public float Momentum;

    /// <summary>SGD: L2 weight decay added to the gradient.</summary>
    public float WeightDecay;

    /// <summary>SGD: 1 on the momentum buffer's first step (v ← g).</summary>
    public int First;

    /// <summary>SGD: 1 for Nesterov momentum.</summary>
    public int Nesterov;

    /// <summary>Adam: β1.</summary>
    public float Beta1;

    /// <summary>Adam: β2.</summary>
    public float Beta2;

    /// <summary>Adam: ε.</summary>
    public float Epsilon;

    /// <summary>Adam: lr / (1 − β1^t).</summary>
    public float StepSize;

    /// <summary>Adam: √(1 − β2^t).</summary>
    public float BiasCorrection2Sqrt;

    /// <summary>Adam: L2 weight decay added to the gradient (0 for AdamW).</summary>
    public float L2;

    /// <summary>AdamW: θ is multiplied by this first (1 − lr·λ; 1 for Adam).</summary>
    public float Decay;

    /// <summary>Gradient clipping: the largest global L2 norm.</summary>
    public float MaxNorm;
}

/// <summary>The losses the generated loss kernels compute (the same formulas as the CPU losses).</summary>
public enum GpuLoss
{
    /// <summary><see cref="SoftmaxCrossEntropyLoss"/>.</summary>
    SoftmaxCrossEntropy,

    /// <summary><see cref="BinaryCrossEntropyWithLogitsLoss"/>.</summary>
    BinaryCrossEntropyWithLogits,

    /// <summary><see cref="MeanSquaredErrorLoss"/>.</summary>
    MeanSquaredError,
}
