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
/// One layer with everything decided: shapes, parameter offsets, workspace offsets, and which passes it needs.
/// Holds no source location, so moving code around leaves the plan (and the generated source) unchanged.
/// </summary>
/// <param name="OutputOffset">Workspace offset of this layer's output (a Flatten aliases its input).</param>
/// <param name="DeltaOffset">Workspace offset of d loss / d output, or -1 when no gradient flows here.</param>
/// <param name="MaskOffset">Workspace offset of the dropout mask, or -1.</param>
/// <param name="NeedsInputGradient">Whether backward must produce d loss / d input (false below the first parameter layer).</param>
/// <param name="FusedActivation">
/// On a Dense or Conv2D whose vector kernels apply the next layer's activation in registers: that activation
/// (the vector paths then write the activation's output slot and read its gradient slot). Null otherwise.
/// </param>
/// <param name="FusedIntoPrevious">On an activation that the previous layer's vector kernels apply: the vector paths skip it.</param>
/// <param name="IsFirst">Whether the layer reads the caller's input span, which kernels must never read past.</param>
/// <param name="ScratchOffset">Workspace offset of the layer's private scratch (padded copies, transposed weights), or -1.</param>
/// <param name="ScratchSize">Floats of scratch (<see cref="Layers.LayerKind.ScratchFloats"/>).</param>
/// <param name="Epsilon">BatchNorm's epsilon.</param>
/// <param name="Momentum">BatchNorm's running-statistics momentum.</param>
/// <param name="StateOffset">BatchNorm's offset in the batch-state buffer (mean, 1/σ, mean dy, mean dy·x̂; 4·C floats), or -1.</param>
internal sealed record LayerPlan(
    LayerKindId Kind,
    string Name,
    string PropertyName,
    Shape Input,
    Shape Output,
    int Kernel,
    int Stride,
    int Padding,
    float Rate,
    EquatableArray<TensorPlan> Tensors,
    int OutputOffset,
    int DeltaOffset,
    int MaskOffset,
    bool NeedsInputGradient,
    bool RunsBackward,
    LayerKindId? FusedActivation,
    bool FusedIntoPrevious,
    bool IsFirst,
    int ScratchOffset,
    int ScratchSize,
    float Epsilon,
    float Momentum,
    int StateOffset);

/// <summary>The whole network, planned: what the emitters turn into code.</summary>
internal sealed record NetworkPlan(
    string? Namespace,
    string ClassName,
    Shape Input,
    EquatableArray<LayerPlan> Layers,
    int ParameterCount,
    int WorkspaceSize,
    int LogitsOffset,
    bool EndsWithSoftmax,
    bool EndsWithSigmoid,
    int BufferCount,
    int BatchStateSize)
{
    /// <summary>Whether the network has BatchNorm layers, whose training passes run in segments between batch-wide statistics.</summary>
    public bool HasBatchNorm => BatchStateSize > 0;

    public Shape Output => Layers[Layers.Count - 1].Output;

    /// <summary>Weights baked in from the file named by <c>[Network(Weights = ...)]</c>, or null.</summary>
    public BakedWeights? Weights { get; init; }
}

/// <summary>
/// What the transform step produces: a plan when the network is valid, its diagnostics, and the weights file it
/// asks for (resolved against the additional files in a later step).
/// </summary>
internal sealed record NetworkResult(NetworkPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics, WeightsRequest? Weights = null);
