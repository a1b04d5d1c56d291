using System.Collections.Generic;
using System.Linq;

namespace NetGen.Generators.Model;

/// <summary>
/// A tensor: its checkpoint key suffix, offset in the flat parameter buffer (or, when <paramref name="IsBuffer"/>,
/// in the buffer of non-trainable state), PyTorch shape and initialisation (its kind's, resolved by the plan).
/// </summary>
internal sealed record TensorPlan(string Suffix, int Offset, EquatableArray<int> Shape, TensorInit Init, bool IsBuffer = false)
{
    public int Length
    {
        get
        {
            int n = 1;
            foreach (int d in Shape)
            {
                n *= d;
            }

            return n;
        }
    }
}

/// <summary>
/// One layer with everything decided: its kind and that kind's options record, shapes, parameter offsets,
/// workspace offsets, and which passes it needs. Holds no source location, so moving code around leaves the plan
/// (and the generated source) unchanged.
/// </summary>
/// <param name="Options">The kind's own options record (<see cref="LayerOptions"/>), as the kind read and checked it.</param>
/// <param name="OutputOffset">Workspace offset of this layer's output (a layer that <see cref="AliasesInput"/> has its input's).</param>
/// <param name="Delta">Where d loss / d output lives: a workspace slot, the caller's logits gradient, or nowhere.</param>
/// <param name="MaskOffset">Workspace offset of the dropout mask, or -1.</param>
/// <param name="NeedsInputGradient">Whether backward must produce d loss / d input (false below the first parameter layer).</param>
/// <param name="FusedActivation">
/// On a Dense or Conv2D whose vector kernels apply the next layer's activation in registers: that activation
/// with that layer's options (the vector paths then write the activation's output slot and read its gradient slot). Null otherwise.
/// </param>
/// <param name="FusedIntoPrevious">On an activation that the previous layer's vector kernels apply: the vector paths skip it.</param>
/// <param name="IsFirst">Whether the layer reads the caller's input span, which kernels must never read past.</param>
/// <param name="ScratchOffset">Workspace offset of the layer's private scratch (padded copies, transposed weights), or -1.</param>
/// <param name="ScratchSize">Floats of scratch (<see cref="Layers.LayerKind.ScratchFloats"/>).</param>
/// <param name="StateOffset">Offset of the layer's batch state (<see cref="Layers.LayerKind.BatchStateFloats"/>), or -1.</param>
/// <param name="AliasesInput">Whether the layer's output and gradient are its input's slots (a Flatten after the first layer): no code runs.</param>
/// <param name="Operands">
/// The values the layer reads, in order: the previous layer's output (or <c>From</c>'s), then those its attribute
/// joins (Add, Concat). <paramref name="Input"/> is the first one's shape.
/// </param>
internal sealed record LayerPlan(
    Layers.LayerKind Kind,
    string Name,
    string PropertyName,
    Shape Input,
    Shape Output,
    LayerOptions Options,
    EquatableArray<TensorPlan> Tensors,
    int OutputOffset,
    GradientSlot Delta,
    int MaskOffset,
    bool NeedsInputGradient,
    bool RunsBackward,
    Layers.Activation? FusedActivation,
    bool FusedIntoPrevious,
    bool IsFirst,
    int ScratchOffset,
    int ScratchSize,
    int StateOffset,
    bool AliasesInput,
    EquatableArray<Operand> Operands);

/// <summary>
/// One value a layer reads: the layer that produces it (-1: the network's input), its shape and workspace slot, and
/// where the reader's backward puts its share of the value's gradient.
/// </summary>
/// <param name="Producer">The producing layer's index, or -1 for the network's input.</param>
/// <param name="Name">The producing layer's name (or <c>input</c>), for comments and <c>LayerInfo.Inputs</c>.</param>
/// <param name="Offset">Workspace offset of the value (-1 for the network's input, which is the caller's span).</param>
/// <param name="Gradient">The value's gradient slot (<see cref="LayerPlan.Delta"/> of its producer), or none when nothing below learns.</param>
/// <param name="Accumulates">
/// Whether this reader adds its share into <paramref name="Gradient"/> (a later reader has written it already) in
/// its own kernel, which only kinds with <see cref="Layers.LayerKind.AccumulatesInputGradients"/> do.
/// </param>
/// <param name="StagingOffset">
/// Where this reader writes its share instead, when it must be added but its kind cannot add it: the emitter adds
/// the staging slot into <paramref name="Gradient"/> after the reader's backward. -1 otherwise.
/// </param>
internal readonly record struct Operand(int Producer, string Name, Shape Shape, int Offset, GradientSlot Gradient, bool Accumulates, int StagingOffset)
{
    /// <summary>Whether the reader's backward produces a gradient for this operand.</summary>
    public bool NeedsGradient => Gradient.Exists;

    /// <summary>Whether the reader's share goes to a staging slot and is added afterwards.</summary>
    public bool IsStaged => StagingOffset >= 0;
}

/// <summary>Where a layer's d loss / d output lives.</summary>
internal enum GradientSource
{
    /// <summary>No gradient flows to the layer's output (nothing at or below it learns, or it is past the logits).</summary>
    None,

    /// <summary>A workspace slot at <see cref="GradientSlot.Offset"/>.</summary>
    Workspace,

    /// <summary>The caller's <c>logitsGradient</c> argument: the layer produces the logits.</summary>
    LogitsGradient,
}

/// <summary>Where a layer's d loss / d output lives: its source, and the workspace offset when it is a workspace slot.</summary>
internal readonly record struct GradientSlot(GradientSource Source, int Offset)
{
    public static GradientSlot None => new(GradientSource.None, -1);

    public static GradientSlot LogitsGradient => new(GradientSource.LogitsGradient, -1);

    public static GradientSlot At(int offset) => new(GradientSource.Workspace, offset);

    /// <summary>Whether a gradient flows here (a slot or the logits gradient).</summary>
    public bool Exists => Source != GradientSource.None;

    public bool InWorkspace => Source == GradientSource.Workspace;

    public bool IsLogitsGradient => Source == GradientSource.LogitsGradient;
}

/// <summary>
/// A segment of the training pass, the layers [<paramref name="First"/>, <paramref name="End"/>): segment 0 starts at
/// the input and each layer whose kind is an <see cref="Layers.ISegmentBoundary"/> starts another, because it needs the
/// whole batch's statistics of its input (segment 0 is empty when the first layer is one). In a network without
/// BatchNorm, a Dense layer that runs across the batch is a segment of its own (<paramref name="Batched"/>).
/// </summary>
internal readonly record struct Segment(int First, int End, bool Batched = false);

/// <summary>The whole network, planned: what the emitters turn into code.</summary>
internal sealed record NetworkPlan(
    string? Namespace,
    string ClassName,
    Shape Input,
    EquatableArray<LayerPlan> Layers,
    int ParameterCount,
    int WorkspaceSize,
    int LogitsOffset,
    int LogitsLayer,
    bool EndsWithSoftmax,
    bool EndsWithSigmoid,
    int BufferCount,
    int BatchStateSize,
    EquatableArray<Segment> Segments)
{
    /// <summary>
    /// Floats the workspace would take with a slot of its own for every gradient (and staging share) and every
    /// layer's transient scratch: the figure <see cref="WorkspaceSize"/> is after gradients whose lives do not
    /// overlap share their floats and those layers share one scratch region.
    /// </summary>
    public int WorkspaceWithoutSharing { get; init; }

    /// <summary>Whether the network has BatchNorm layers, whose training passes run in segments between batch-wide statistics.</summary>
    public bool HasBatchNorm => BatchStateSize > 0;

    /// <summary>Whether the training pass runs in segments (BatchNorm, or a Dense layer across the batch).</summary>
    public bool Segmented => Segments.Count > 1;

    /// <summary>The indices of the segments that run across the batch (<see cref="Segment.Batched"/>), in order.</summary>
    public IEnumerable<int> BatchedSegments => Enumerable.Range(0, Segments.Count).Where(k => Segments[k].Batched);

    /// <summary>The layer whose output is the logits: the last layer, or the one before a trailing softmax or sigmoid (<see cref="Layers.LayerKind.FusesIntoLoss"/>).</summary>
    public LayerPlan Logits => Layers[LogitsLayer];

    public Shape Output => Layers[Layers.Count - 1].Output;

    /// <summary>The layer that owns layer <paramref name="layer"/>'s output floats: itself, or through Flatten aliases the one they reinterpret.</summary>
    public int ValueOf(int layer)
    {
        while (Layers[layer].AliasesInput && Layers[layer].Operands[0].Producer >= 0)
        {
            layer = Layers[layer].Operands[0].Producer;
        }

        return layer;
    }

    /// <summary>Weights baked in from the file named by <c>[Network(Weights = ...)]</c>, or null.</summary>
    public BakedWeights? Weights { get; init; }
}

/// <summary>
/// What the transform step produces: a plan when the network is valid, its diagnostics, and the weights file it
/// asks for (resolved against the additional files in a later step).
/// </summary>
internal sealed record NetworkResult(NetworkPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics, WeightsRequest? Weights = null);
