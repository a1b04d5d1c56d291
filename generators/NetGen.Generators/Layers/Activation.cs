using NetGen.Generators.Emit;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// One layer's activation: its kind with that layer's options (LeakyReLU's slope), so a kernel that applies it,
/// the activation's own or a Dense or Conv2D that fuses it, writes its formulas without knowing which layer they
/// belong to.
/// </summary>
internal sealed record Activation(ActivationLayer Kind, LayerOptions Options)
{
    public string DisplayName => Kind.DisplayName;

    /// <inheritdoc cref="ActivationLayer.Scalar"/>
    public string Scalar(string x) => Kind.Scalar(Options, x);

    /// <inheritdoc cref="ActivationLayer.ScalarDerivative"/>
    public string ScalarDerivative(string dy, string v) => Kind.ScalarDerivative(Options, dy, v);

    /// <inheritdoc cref="ActivationLayer.Vector"/>
    public string Vector(int lanes, string v) => Kind.Vector(Options, lanes, v);

    /// <inheritdoc cref="ActivationLayer.VectorDerivative"/>
    public string VectorDerivative(int lanes, string dy, string v) => Kind.VectorDerivative(Options, lanes, dy, v);

    /// <inheritdoc cref="ActivationLayer.InRegisters"/>
    public string? InRegisters(int lanes, string v) => Kind.InRegisters(Options, lanes, v);

    /// <inheritdoc cref="ActivationLayer.EmitVectorHelpers"/>
    public void EmitVectorHelpers(CodeWriter w, int lanes) => Kind.EmitVectorHelpers(w, lanes);

    /// <inheritdoc cref="ActivationLayer.EmitInPlace"/>
    public void EmitInPlace(CodeWriter w, string r, int n, int width) => Kind.EmitInPlace(w, Options, r, n, width);
}
