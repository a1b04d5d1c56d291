namespace NetGen.Generators.Model;

/// <summary>A parameter tensor: its checkpoint key suffix, offset in the flat parameter buffer and PyTorch shape.</summary>
internal sealed record TensorPlan(string Suffix, int Offset, EquatableArray<int> Shape)
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
/// <param name="HeInit">Whether weights feed a ReLU (He init) rather than anything else (Glorot init).</param>
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
    bool HeInit);

/// <summary>The whole network, planned: what the emitters turn into code.</summary>
internal sealed record NetworkPlan(
    string? Namespace,
    string ClassName,
    Shape Input,
    EquatableArray<LayerPlan> Layers,
    int ParameterCount,
    int WorkspaceSize,
    int LogitsOffset,
    bool EndsWithSoftmax)
{
    public Shape Output => Layers[Layers.Count - 1].Output;
}

/// <summary>What the transform step produces: a plan when the network is valid, and its diagnostics.</summary>
internal sealed record NetworkResult(NetworkPlan? Plan, EquatableArray<DiagnosticInfo> Diagnostics);
