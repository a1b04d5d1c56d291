using System.Collections.Generic;
using NetGen.Generators.Emit;
using NetGen.Generators.Layers.Gpu;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// Token embedding (PyTorch's <c>nn.Embedding</c>): the 1-D input [T] holds token ids; y[t, ·] = w[id_t, ·], a
/// sequence [T, D]. With MaskZero, id 0 is padding (<c>padding_idx = 0</c>): its row starts at zero and gets no
/// gradient, and the sequence is marked so that recurrent layers skip those steps. An id that is not a whole number
/// in [0, vocabulary) is an error naming the position. Forward copies rows and backward adds rows, the same on
/// every path (the adds run vectorized in <c>GradientSum</c>), so there is nothing left for vector kernels to do.
/// </summary>
internal sealed class EmbeddingLayer : LayerKind
{
    public override string DisplayName => "Embedding";

    public override string NamePrefix => "embedding";

    /// <inheritdoc/>
    public override GpuLayerKind GpuKind { get; } = new GpuEmbeddingLayer();

    public override bool HasParameters => true;

    /// <summary><c>[Embedding(vocabulary, dimensions, MaskZero = false)]</c>.</summary>
    public override LayerSpec ReadArguments(LayerArguments a) => a.Spec(new EmbeddingOptions(a.Int(0), a.Int(1), a.NamedBool("MaskZero") ?? false));

    public override Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics)
    {
        EmbeddingOptions options = Options<EmbeddingOptions>(spec);
        bool ok = RequirePositive(options.Vocabulary, "Vocabulary", name, spec, diagnostics);
        ok &= RequirePositive(options.Dimensions, "Dimensions", name, spec, diagnostics);
        if (!input.IsFlat)
        {
            diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DiagnosticDescriptors.EmbeddingNotFirst, spec.Location, name, "[" + input + "]"));
            return null;
        }

        return ok ? Shape.Sequence(input.Size, options.Dimensions, options.MaskZero) : null;
    }

    public override IEnumerable<TensorSpec> ParameterTensors(LayerSpec spec, Shape input, Shape output)
    {
        EmbeddingOptions options = Options<EmbeddingOptions>(spec);
        yield return new TensorSpec("weight", new[] { options.Vocabulary, options.Dimensions }, TensorInit.Embedding(options.MaskZero ? options.Dimensions : 0));
    }

    /// <summary>Copies and adds: no arithmetic the vector paths would do differently.</summary>
    public override string? ScalarFallback(LayerPlan layer, int width) => null;

    public override void EmitForward(CodeWriter w, LayerPlan layer)
    {
        EmbeddingOptions options = Options<EmbeddingOptions>(layer);
        int steps = layer.Input.Size, d = options.Dimensions;
        Summary(w, Head(layer) + ": y[t, ·] = w[id, ·] with id = x[t], a token id in [0, " + I(options.Vocabulary) + ")" + (options.MaskZero ? " (0: padding, its row zero)" : string.Empty) + ".");
        w.Open("private static void " + Forward(layer) + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + Span + " y)");
        w.Open("for (int t = 0; t < " + I(steps) + "; t++)");
        w.Line("int id = global::NetGen.Guard.TokenId(x[t], t, " + I(options.Vocabulary) + ", \"" + layer.Name + "\");");
        w.Line("w.Slice(id * " + I(d) + ", " + I(d) + ").CopyTo(y.Slice(t * " + I(d) + ", " + I(d) + "));");
        w.Close();
        w.Close();
    }

    public override string ForwardCall(LayerPlan layer, LayerOperands o) => Forward(layer) + "(" + o.X + ", " + o.W + ", " + o.Y + ");";

    public override void EmitBackward(CodeWriter w, LayerPlan layer)
    {
        EmbeddingOptions options = Options<EmbeddingOptions>(layer);
        int steps = layer.Input.Size, d = options.Dimensions;
        Summary(w, Head(layer) + ", backward: dw[id, ·] += dy[t, ·] for every step" + (options.MaskZero ? " whose id is not 0 (padding learns nothing)" : string.Empty) + "; the ids get no gradient.");
        w.Open("private static void " + Backward(layer) + "(" + ReadOnlySpan + " x, " + ReadOnlySpan + " dy, " + Span + " dw)");
        w.Open("for (int t = 0; t < " + I(steps) + "; t++)");
        w.Line("int id = (int)x[t]; // checked by the forward pass");
        if (options.MaskZero)
        {
            w.Open("if (id == 0)");
            w.Line("continue;");
            w.Close();
        }

        w.Line("global::NetGen.GradientSum.AddInto(dy.Slice(t * " + I(d) + ", " + I(d) + "), dw.Slice(id * " + I(d) + ", " + I(d) + "));");
        w.Close();
        w.Close();
    }

    public override string BackwardCall(LayerPlan layer, LayerOperands o) => Backward(layer) + "(" + o.X + ", " + o.Dy + ", " + o.DW + ");";
}

/// <summary><c>[Embedding(vocabulary, dimensions, MaskZero = false)]</c>.</summary>
internal sealed record EmbeddingOptions(int Vocabulary, int Dimensions, bool MaskZero) : LayerOptions;
