using System.Collections.Generic;
using NetGen.Generators.Diagnostics;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// Leaky ReLU: y = x where x &gt; 0, slope · x elsewhere (PyTorch's <c>LeakyReLU(negative_slope)</c>, NaN stays NaN);
/// dx = dy where y &gt; 0, slope · dy elsewhere, as PyTorch's gradient at x = 0. The derivative is read from the
/// output, so a Dense or Conv2D fuses the layer; that needs y &gt; 0 exactly where x &gt; 0, hence a slope ≥ 0.
/// </summary>
internal sealed class LeakyReLULayer : ActivationLayer
{
    public override string DisplayName => "LeakyReLU";

    /// <summary>Layers feeding it draw their weights with He's gain, as for ReLU (exact for a slope of 0, close for small slopes).</summary>
    public override bool WantsReLUGain => true;

    protected override int ForwardUnroll => 4;

    /// <summary><c>[LeakyReLU]</c> or <c>[LeakyReLU(slope)]</c>, PyTorch's default slope 0.01.</summary>
    public override LayerSpec ReadArguments(LayerArguments a) => a.Spec(new LeakyReLUOptions(a.Number(0) ?? LeakyReLUOptions.DefaultSlope));

    public override Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics)
    {
        // Written so that NaN fails too; the kernels use the nearest float, which must be finite as well.
        double slope = Options<LeakyReLUOptions>(spec).WrittenSlope;
        string? wrong = !(slope >= 0 && !double.IsInfinity(slope)) ? Written(slope) : float.IsInfinity((float)slope) ? AsFloat(slope) : null;
        if (wrong is null)
        {
            return input;
        }

        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayerArgument, spec.Location, DisplayName, name, "NegativeSlope", wrong, "finite and >= 0"));
        return null;
    }

    private static string Slope(LayerOptions options) => F(((LeakyReLUOptions)options).Slope);

    public override string Scalar(LayerOptions options, string x) => x + " > 0f ? " + x + " : " + Slope(options) + " * " + x;

    public override string ScalarDerivative(LayerOptions options, string dy, string y) => dy + " * (" + y + " > 0f ? 1f : " + Slope(options) + ")";

    public override string Vector(LayerOptions options, int lanes, string v) =>
        VectorCode.Vec(lanes) + ".ConditionalSelect(" + VectorCode.Vec(lanes) + ".GreaterThan(" + v + ", " + VectorCode.Zero(lanes) + "), " + v + ", " + v + " * " + Slope(options) + ")";

    public override string VectorDerivative(LayerOptions options, int lanes, string dy, string y) =>
        dy + " * " + VectorCode.Vec(lanes) + ".ConditionalSelect(" + VectorCode.Vec(lanes) + ".GreaterThan(" + y + ", " + VectorCode.Zero(lanes) + "), "
        + VectorCode.One(lanes) + ", " + VectorCode.Vec(lanes) + ".Create(" + Slope(options) + "))";

    /// <summary>The same select, in a convolution's registers.</summary>
    public override string? InRegisters(LayerOptions options, int lanes, string v) => Vector(options, lanes, v);
}

/// <summary><c>[LeakyReLU(negativeSlope)]</c>'s slope, as written (a double) and as the kernels use it.</summary>
internal sealed record LeakyReLUOptions(double WrittenSlope) : LayerOptions
{
    /// <summary>PyTorch's default <c>negative_slope</c>.</summary>
    public const double DefaultSlope = 0.01;

    /// <summary>The slope the kernels use.</summary>
    public float Slope => (float)WrittenSlope;
}
