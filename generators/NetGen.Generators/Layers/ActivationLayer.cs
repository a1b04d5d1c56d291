using System;
using System.Collections.Generic;
using NetGen.Generators.Emit;
using NetGen.Generators.Layers.Gpu;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// Element-wise activations. Each derivative is written in terms of the output y, so backward needs no
/// saved pre-activation: ReLU' = [y &gt; 0], σ' = y(1 − y), tanh' = 1 − y².
/// </summary>
/// <remarks>
/// The vector kernels run the same formulas a vector at a time; a last partial vector is recomputed as the
/// full vector ending at the last value (see <see cref="VectorCode.Elementwise"/>). Dense applies these
/// activations itself where it can (<see cref="LayerPlan.FusedIntoPrevious"/>); the emitter then gives such a layer no vector kernels or calls.
/// </remarks>
internal sealed class ActivationLayer(LayerKindId id) : LayerKind
{
    public override string DisplayName => id.ToString();

    public override string NamePrefix => id.ToString().ToLowerInvariant();

    /// <inheritdoc/>
    public override GpuLayerKind GpuKind { get; } = new GpuActivationLayer(id);

    public override bool HasVectorKernels => true;

    public override Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics) => input;

    public override void EmitForward(CodeWriter w, LayerPlan layer)
    {
        Summary(w, Head(layer) + ", element-wise over " + I(layer.Input.Size) + " values.");
        w.Open("private static void " + Forward(layer) + "(" + ReadOnlySpan + " x, " + Span + " y)");
        w.Open("for (int i = 0; i < " + I(layer.Input.Size) + "; i++)");
        w.Line(id switch
        {
            LayerKindId.ReLU => "y[i] = x[i] > 0f ? x[i] : 0f;",
            LayerKindId.Sigmoid => "y[i] = 1f / (1f + global::System.MathF.Exp(-x[i]));",
            _ => "y[i] = global::System.MathF.Tanh(x[i]);",
        });
        w.Close();
        w.Close();
    }

    public override string ForwardCall(LayerPlan layer, LayerOperands o) => Forward(layer) + "(" + o.X + ", " + o.Y + ");";

    public override void EmitBackward(CodeWriter w, LayerPlan layer)
    {
        Summary(w, Head(layer) + ", backward from the output y.");
        w.Open("private static void " + Backward(layer) + "(" + ReadOnlySpan + " y, " + ReadOnlySpan + " dy, " + Span + " dx)");
        w.Open("for (int i = 0; i < " + I(layer.Input.Size) + "; i++)");
        w.Line(id switch
        {
            LayerKindId.ReLU => "dx[i] = y[i] > 0f ? dy[i] : 0f;",
            LayerKindId.Sigmoid => "dx[i] = dy[i] * y[i] * (1f - y[i]);",
            _ => "dx[i] = dy[i] * (1f - (y[i] * y[i]));",
        });
        w.Close();
        w.Close();
    }

    public override string BackwardCall(LayerPlan layer, LayerOperands o) => Backward(layer) + "(" + o.Y + ", " + o.Dy + ", " + o.Dx + ");";

    public override void EmitVectorForward(CodeWriter w, LayerPlan layer, int width)
    {
        int n = layer.Input.Size;
        int unroll = id == LayerKindId.ReLU ? Unroll : 1;
        Summary(w, Head(layer) + ", " + Suffix(width) + " forward: " + VectorCode.ElementwisePlan(n, width, unroll) + ".");
        w.Open("private static void " + Forward(layer) + Suffix(width) + "(" + ReadOnlySpan + " x, " + Span + " y)");
        w.Line(VectorCode.Ref("xr", "x"));
        w.Line(VectorCode.Ref("yr", "y"));
        VectorCode.Elementwise(
            w,
            n,
            width,
            unroll,
            (lanes, at, k, _) =>
            {
                string v = "v" + k;
                w.Line("var " + v + " = " + VectorCode.Load(lanes, "xr", at) + ";");
                w.Line(VectorCode.Store(lanes, VectorCode.Activation(id, lanes, v), "yr", at));
            },
            at => w.Line(VectorCode.At("yr", at) + " = " + VectorCode.ScalarActivation(id, VectorCode.At("xr", at)) + ";"));
        VectorCode.EmitHelpers(w, id, VectorCode.Lanes(n, width));
        w.Close();
    }

    public override string VectorForwardCall(LayerPlan layer, LayerOperands operands, int width) =>
        Forward(layer) + Suffix(width) + "(" + operands.X + ", " + operands.Y + ");";

    public override void EmitVectorBackward(CodeWriter w, LayerPlan layer, int width)
    {
        int n = layer.Input.Size;
        Summary(w, Head(layer) + ", " + Suffix(width) + " backward from the output y: " + VectorCode.ElementwisePlan(n, width, Unroll) + ".");
        w.Open("private static void " + Backward(layer) + Suffix(width) + "(" + ReadOnlySpan + " y, " + ReadOnlySpan + " dy, " + Span + " dx)");
        w.Line(VectorCode.Ref("yr", "y"));
        w.Line(VectorCode.Ref("dyr", "dy"));
        w.Line(VectorCode.Ref("dxr", "dx"));
        VectorCode.Elementwise(
            w,
            n,
            width,
            Unroll,
            (lanes, at, k, _) =>
            {
                string y = "y" + k;
                w.Line("var " + y + " = " + VectorCode.Load(lanes, "yr", at) + ";");
                w.Line(VectorCode.Store(lanes, VectorCode.Derivative(id, lanes, VectorCode.Load(lanes, "dyr", at), y), "dxr", at));
            },
            at => w.Line(VectorCode.At("dxr", at) + " = " + VectorCode.ScalarDerivative(id, VectorCode.At("dyr", at), VectorCode.At("yr", at)) + ";"));
        w.Close();
    }

    public override string VectorBackwardCall(LayerPlan layer, LayerOperands operands, int width) =>
        Backward(layer) + Suffix(width) + "(" + operands.Y + ", " + operands.Dy + ", " + operands.Dx + ");";

    /// <summary>Vectors per loop iteration of the cheap element-wise loops (ReLU, the derivatives).</summary>
    private const int Unroll = 4;
}

/// <summary>
/// Pieces of vector code the layer kinds share: references without bounds checks, loads and stores at literal
/// offsets, lane masks, element-wise loops, and the activations in scalar and vector form.
/// </summary>
internal static class VectorCode
{
    public const string Unsafe = Aliases.Unsafe;

    private const string Marshal = Aliases.MemoryMarshal;

    /// <summary>Writes a summary of several lines (each a sentence or two, no XML specials).</summary>
    public static void DocSummary(CodeWriter w, params string[] lines)
    {
        w.Line("/// <summary>");
        foreach (string line in lines)
        {
            w.Line("/// " + line);
        }

        w.Line("/// </summary>");
    }

    /// <summary>The static vector class for a vector of <paramref name="lanes"/> floats (4, 8 or 16).</summary>
    public static string Vec(int lanes) => lanes switch
    {
        4 => Aliases.V128,
        8 => Aliases.V256,
        _ => Aliases.V512,
    };

    /// <summary>The vector type of <paramref name="lanes"/> floats.</summary>
    public static string VecOfFloat(int lanes) => lanes switch { 4 => Aliases.Vec4f, 8 => Aliases.Vec8f, _ => Aliases.Vec16f };

    /// <summary>The widest vector that fits <paramref name="count"/> floats on a path of <paramref name="width"/> lanes (at least 8), or 1 when none does.</summary>
    public static int Lanes(int count, int width) => count >= width ? width : count >= 8 ? 8 : 1;

    /// <summary><c>ref float name = ref MemoryMarshal.GetReference(span);</c></summary>
    public static string Ref(string name, string span) => "ref float " + name + " = ref " + Marshal + ".GetReference(" + span + ");";

    /// <summary>The float at <paramref name="offset"/> from <paramref name="reference"/>, as a writable location.</summary>
    public static string At(string reference, string offset) => offset == "0" ? reference : Unsafe + ".Add(ref " + reference + ", " + offset + ")";

    public static string Load(int lanes, string reference, string offset) => Vec(lanes) + ".LoadUnsafe(ref " + reference + ", " + Nuint(offset) + ")";

    /// <summary>Stores a vector of <paramref name="lanes"/> floats (static form: generated code has no <c>using</c> for the extension methods).</summary>
    public static string Store(int lanes, string value, string reference, string offset) => Vec(lanes) + ".StoreUnsafe(" + value + ", ref " + reference + ", " + Nuint(offset) + ");";

    public static string Zero(int lanes) => VecOfFloat(lanes) + ".Zero";

    public static string One(int lanes) => VecOfFloat(lanes) + ".One";

    public static string Fma(int lanes, string a, string b, string c) => Vec(lanes) + ".FusedMultiplyAdd(" + a + ", " + b + ", " + c + ")";

    /// <summary>A constant lane mask: lanes below <paramref name="firstKept"/> all zero bits, the rest all one bits.</summary>
    public static string KeepFrom(int lanes, int firstKept)
    {
        var bits = new string[lanes];
        for (int i = 0; i < lanes; i++)
        {
            bits[i] = i < firstKept ? "0" : "-1";
        }

        return Vec(lanes) + ".AsSingle(" + Vec(lanes) + ".Create(" + string.Join(", ", bits) + "))";
    }

    /// <summary>A constant int vector (shuffle indices).</summary>
    public static string Ints(int lanes, Func<int, int> lane)
    {
        var values = new string[lanes];
        for (int i = 0; i < lanes; i++)
        {
            values[i] = CodeWriter.Int(lane(i));
        }

        return Vec(lanes) + ".Create(" + string.Join(", ", values) + ")";
    }

    /// <summary>An int literal or expression as a <c>nuint</c> element offset.</summary>
    public static string Nuint(string offset) => IsSimple(offset) ? "(nuint)" + offset : "(nuint)(" + offset + ")";

    /// <summary><c>a + b</c> with literal folding: Plus("i", 0) is "i", Plus("8", 16) is "24".</summary>
    public static string Plus(string a, int b)
    {
        if (int.TryParse(a, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int value))
        {
            return CodeWriter.Int(value + b);
        }

        return b == 0 ? a : a + " + " + CodeWriter.Int(b);
    }

    private static bool IsSimple(string expression)
    {
        foreach (char c in expression)
        {
            if (!(char.IsLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }


    /// <summary>The scalar activation of <paramref name="value"/>, exactly as the scalar reference writes it.</summary>
    public static string ScalarActivation(LayerKindId id, string value) => id switch
    {
        LayerKindId.ReLU => value + " > 0f ? " + value + " : 0f",
        LayerKindId.Sigmoid => "1f / (1f + global::System.MathF.Exp(-" + value + "))",
        _ => "global::System.MathF.Tanh(" + value + ")",
    };

    /// <summary>The scalar dy ⊙ act'(y) as the scalar reference writes it.</summary>
    public static string ScalarDerivative(LayerKindId id, string dy, string y) => id switch
    {
        LayerKindId.ReLU => y + " > 0f ? " + dy + " : 0f",
        LayerKindId.Sigmoid => dy + " * " + y + " * (1f - " + y + ")",
        _ => dy + " * (1f - (" + y + " * " + y + "))",
    };

    /// <summary>
    /// The vector activation of the vector variable <paramref name="v"/>. ReLU keeps v where v &gt; 0 (zero
    /// elsewhere, as the scalar path); sigmoid uses the vector exp; tanh calls the kernel's TanhV helper (see
    /// <see cref="EmitHelpers"/>).
    /// </summary>
    public static string Activation(LayerKindId id, int lanes, string v) => id switch
    {
        LayerKindId.ReLU => v + " & " + Vec(lanes) + ".GreaterThan(" + v + ", " + Zero(lanes) + ")",
        LayerKindId.Sigmoid => One(lanes) + " / (" + One(lanes) + " + " + Vec(lanes) + ".Exp(-" + v + "))",
        _ => "TanhV(" + v + ")",
    };

    /// <summary>The vector dy ⊙ act'(y), with <paramref name="y"/> a variable (it is used more than once).</summary>
    public static string Derivative(LayerKindId id, int lanes, string dy, string y) => id switch
    {
        LayerKindId.ReLU => dy + " & " + Vec(lanes) + ".GreaterThan(" + y + ", " + Zero(lanes) + ")",
        LayerKindId.Sigmoid => dy + " * " + y + " * (" + One(lanes) + " - " + y + ")",
        _ => dy + " * (" + One(lanes) + " - (" + y + " * " + y + "))",
    };

    /// <summary>
    /// Writes the local helper <see cref="Activation"/> refers to: for tanh on vectors of <paramref name="lanes"/>
    /// floats (1: none, the scalar path uses MathF), <c>TanhV</c>. tanh(a) for a = |v| is
    /// (1 − e) / (1 + e) with e = exp(−2a), and an odd Taylor polynomial below a = 0.125 where 1 − e would
    /// cancel; the sign of v is put back last. Agrees with MathF.Tanh to a few ulp.
    /// </summary>
    public static void EmitHelpers(CodeWriter w, LayerKindId id, int lanes)
    {
        if (id == LayerKindId.Tanh && lanes > 1)
        {
            string v = Vec(lanes), vf = VecOfFloat(lanes);
            w.Line();
            w.Line("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]");
            w.Open("static " + vf + " TanhV(" + vf + " v)");
            w.Line(vf + " a = " + v + ".Abs(v);");
            w.Line(vf + " e = " + v + ".Exp(a * -2f);");
            w.Line(vf + " large = (" + One(lanes) + " - e) / (" + One(lanes) + " + e);");
            w.Line(vf + " a2 = a * a;");
            w.Line("// a − a³/3 + 2a⁵/15 − 17a⁷/315 + 62a⁹/2835");
            w.Line(vf + " small = a + (a * a2 * (" + v + ".Create(-1f / 3f) + (a2 * (" + v + ".Create(2f / 15f) + (a2 * (" + v + ".Create(-17f / 315f) + (a2 * " + v + ".Create(62f / 2835f))))))));");
            w.Line("return " + v + ".ConditionalSelect(" + v + ".LessThan(a, " + v + ".Create(0.125f)), small, large) | (v & " + v + ".Create(-0f));");
            w.Close();
        }
    }

    /// <summary>How <see cref="Elementwise"/> covers <paramref name="n"/> values, for kernel comments.</summary>
    public static string ElementwisePlan(int n, int width, int unroll)
    {
        int lanes = Lanes(n, width);
        if (lanes == 1)
        {
            return CodeWriter.Int(n) + " values, one at a time (fewer than 8)";
        }

        int vectors = n / lanes, tail = n % lanes;
        string plan = CodeWriter.Int(vectors) + " vector" + (vectors == 1 ? string.Empty : "s") + " of " + CodeWriter.Int(lanes)
            + (unroll > 1 && vectors >= unroll ? ", " + CodeWriter.Int(unroll) + " per iteration" : string.Empty);
        return tail == 0
            ? plan
            : plan + ", then the last " + CodeWriter.Int(tail) + " values as the vector at " + CodeWriter.Int(n - lanes) + " (recomputing " + CodeWriter.Int(lanes - tail) + ")";
    }

    /// <summary>
    /// Writes a loop over <paramref name="n"/> values: vectors of <see cref="Lanes"/> floats,
    /// <paramref name="unroll"/> per iteration, the rest one by one at literal offsets, and a last partial
    /// vector done as the full vector that ends at value n − 1 (it recomputes values already written, which is
    /// only right for a pure, non-aliasing y = f(x)). Nothing is read or written outside [0, n). Fewer than 8
    /// values are done one at a time. <paramref name="vector"/> gets (lanes, offset expression, index of the
    /// vector in the iteration, for distinct variable names, and null or, for the last partial vector, the mask
    /// that keeps only its lanes not done before, for callers that accumulate); <paramref name="scalar"/> gets an offset.
    /// </summary>
    public static void Elementwise(CodeWriter w, int n, int width, int unroll, Action<int, string, int, string?> vector, Action<string> scalar)
    {
        int lanes = Lanes(n, width);
        if (lanes == 1)
        {
            w.Open("for (int i = 0; i < " + CodeWriter.Int(n) + "; i++)");
            scalar("i");
            w.Close();
            return;
        }

        int vectors = n / lanes;
        int looped = unroll > 1 ? vectors / unroll * unroll : vectors;
        int step = unroll > 1 ? unroll : 1;
        if (looped > 0)
        {
            w.Open("for (int i = 0; i < " + CodeWriter.Int(looped * lanes) + "; i += " + CodeWriter.Int(step * lanes) + ")");
            for (int k = 0; k < step; k++)
            {
                vector(lanes, Plus("i", k * lanes), k, null);
            }

            w.Close();
        }

        for (int v = looped; v < vectors; v++)
        {
            vector(lanes, CodeWriter.Int(v * lanes), v - looped + step, null);
        }

        if (n % lanes != 0)
        {
            w.Line("// The last " + CodeWriter.Int(n % lanes) + " values: the full vector ending at " + CodeWriter.Int(n - 1) + ".");
            vector(lanes, CodeWriter.Int(n - lanes), vectors - looped + step, KeepFrom(lanes, lanes - (n % lanes)));
        }
    }
}
