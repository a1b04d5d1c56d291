using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>ReLU: y = max(x, 0), written x &gt; 0 ? x : 0 (so NaN and −0 give +0, on every path); dx = dy where y &gt; 0.</summary>
internal sealed class ReLULayer : ActivationLayer
{
    public override string DisplayName => "ReLU";

    /// <summary>Layers feeding a ReLU draw their weights with He's gain.</summary>
    public override bool WantsReLUGain => true;

    protected override int ForwardUnroll => 4;

    public override string Scalar(LayerOptions options, string x) => x + " > 0f ? " + x + " : 0f";

    public override string ScalarDerivative(LayerOptions options, string dy, string y) => y + " > 0f ? " + dy + " : 0f";

    /// <summary>Keeps v where v &gt; 0, zero elsewhere, as the scalar path.</summary>
    public override string Vector(LayerOptions options, int lanes, string v) => v + " & " + VectorCode.Vec(lanes) + ".GreaterThan(" + v + ", " + VectorCode.Zero(lanes) + ")";

    public override string VectorDerivative(LayerOptions options, int lanes, string dy, string y) => dy + " & " + VectorCode.Vec(lanes) + ".GreaterThan(" + y + ", " + VectorCode.Zero(lanes) + ")";

    /// <summary>One instruction: x86's max returns its second operand (+0) for NaN and for −0, as the scalar form does.</summary>
    public override string? InRegisters(LayerOptions options, int lanes, string v) => VectorCode.Vec(lanes) + ".MaxNative(" + v + ", " + VectorCode.Zero(lanes) + ")";
}
