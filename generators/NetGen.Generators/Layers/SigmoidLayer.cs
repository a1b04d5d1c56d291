using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// The logistic sigmoid: y = 1 / (1 + e^−x), dx = dy · y(1 − y). As the network's last layer it belongs to the
/// binary cross-entropy with logits, which starts backward from the logits.
/// </summary>
internal sealed class SigmoidLayer : ActivationLayer
{
    public override string DisplayName => "Sigmoid";

    public override OutputFunction FusesIntoLoss => OutputFunction.Sigmoid;

    public override string Scalar(LayerOptions options, string x) => "1f / (1f + global::System.MathF.Exp(-" + x + "))";

    public override string ScalarDerivative(LayerOptions options, string dy, string y) => dy + " * " + y + " * (1f - " + y + ")";

    /// <summary>The vector exp of System.Runtime.Intrinsics.</summary>
    public override string Vector(LayerOptions options, int lanes, string v) => VectorCode.One(lanes) + " / (" + VectorCode.One(lanes) + " + " + VectorCode.Vec(lanes) + ".Exp(-" + v + "))";

    public override string VectorDerivative(LayerOptions options, int lanes, string dy, string y) => dy + " * " + y + " * (" + VectorCode.One(lanes) + " - " + y + ")";
}
