using System.Collections.Generic;
using NetGen.Generators.Emit;
using NetGen.Generators.Layers.Gpu;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// Flatten: [C, H, W] becomes [C·H·W] in PyTorch's (channel, row, column) order. Activations are already laid
/// out that way, so the layer is an alias: its output and gradient share its input's workspace slots and it
/// emits no code.
/// </summary>
internal sealed class FlattenLayer : LayerKind
{
    public override string DisplayName => "Flatten";

    public override string NamePrefix => "flatten";

    /// <inheritdoc/>
    public override GpuLayerKind GpuKind { get; } = new GpuFlattenLayer();

    public override bool AliasesInput => true;

    /// <summary>Nothing to vectorize: a Flatten only renames its input, or copies it where it cannot alias it.</summary>
    public override string? ScalarFallback(LayerPlan layer, int width) => null;

    public override bool TransparentToInit => true;

    public override Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics) => Shape.Flat(input.Size);

    public override void EmitForward(CodeWriter w, LayerPlan layer)
    {
    }

    /// <summary>A comment when the output aliases the input; a copy when the flatten is the first layer (the input is not in the workspace).</summary>
    public override string ForwardCall(LayerPlan layer, LayerOperands operands) => operands.X == operands.Y
        ? "// " + layer.Name + ": Flatten " + layer.Input + " → " + layer.Output + " (same memory, no code)"
        : operands.X + ".CopyTo(" + operands.Y + "); // " + layer.Name + ": Flatten " + layer.Input + " → " + layer.Output;

    public override void EmitBackward(CodeWriter w, LayerPlan layer)
    {
    }

    public override string BackwardCall(LayerPlan layer, LayerOperands operands) =>
        "// " + layer.Name + ": Flatten " + layer.Input + " → " + layer.Output + " (same memory, no code)";
}
