using System.Collections.Generic;
using NetGen.Generators.Emit;
using NetGen.Generators.Layers.Gpu;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// A recurrent layer over a sequence [T, F] (PyTorch's <c>nn.LSTM</c> / <c>nn.RNN</c>, <c>batch_first=True</c>, one
/// layer), per direction: a = W_ih·x_t + b_ih + W_hh·h + b_hh in <see cref="Gates"/> blocks of h rows, the kind's
/// gate activations and state update, from h (and c) = 0; the reverse direction runs from the last step to the
/// first. On a masked sequence (after <c>[Embedding(MaskZero = true)]</c>) a step whose token id is 0 is left out:
/// the state passes through it unchanged and its output is zero. The output is every step's h [T, units ×
/// directions] or, without ReturnSequences, the final h of each direction [units × directions] (the forward
/// direction's after the last step, the reverse one's after the first). This class holds the loops, the layout and
/// the row products; a kind says its gates (<see cref="GateActivation"/>, <see cref="EmitStateUpdate"/>,
/// <see cref="EmitGateGradients"/>).
/// </summary>
/// <remarks>
/// The layer's scratch keeps, per direction and step, the gates after their activations, c and h (backward reads
/// them all), then dh, dc and d a for backward through time and a step's dx. On the vector paths the gate products
/// run in the Dense kernels' tiles (<see cref="DenseLayer.EmitRowProducts"/>, <see cref="DenseLayer.EmitRowGradients"/>);
/// rows under a vector use <c>VectorOps</c>' dot products and multiply-adds.
/// </remarks>
internal abstract class RecurrentLayer : LayerKind
{
    /// <summary>Gate blocks of h rows in W_ih and W_hh: 4 for the LSTM (i, f, g, o), 1 for the plain tanh cell.</summary>
    protected abstract int Gates { get; }

    public override bool HasParameters => true;

    /// <summary><c>[LSTM(units, ReturnSequences = false, Bidirectional = false)]</c>.</summary>
    public override LayerSpec ReadArguments(LayerArguments a) =>
        a.Spec(new RecurrentOptions(a.Int(0), a.NamedBool("ReturnSequences") ?? false, a.NamedBool("Bidirectional") ?? false));

    public override Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics)
    {
        RecurrentOptions options = Options<RecurrentOptions>(spec);
        bool ok = RequirePositive(options.Units, "Units", name, spec, diagnostics);
        if (!RequireSequence(input, name, spec, diagnostics) || !ok)
        {
            return null;
        }

        int width = options.Units * Directions(options);
        return options.ReturnSequences ? Shape.Sequence(input.Steps, width, input.Masked) : Shape.Flat(width);
    }

    private static int Directions(RecurrentOptions options) => options.Bidirectional ? 2 : 1;

    public override IEnumerable<TensorSpec> ParameterTensors(LayerSpec spec, Shape input, Shape output)
    {
        RecurrentOptions options = Options<RecurrentOptions>(spec);
        int h = options.Units, gates = Gates * options.Units;
        foreach (string direction in options.Bidirectional ? new[] { string.Empty, "_reverse" } : new[] { string.Empty })
        {
            yield return new TensorSpec("weight_ih_l0" + direction, new[] { gates, input.Features }, TensorInit.Recurrent(h));
            yield return new TensorSpec("weight_hh_l0" + direction, new[] { gates, h }, TensorInit.Recurrent(h));
            yield return new TensorSpec("bias_ih_l0" + direction, new[] { gates }, TensorInit.Recurrent(h));
            yield return new TensorSpec("bias_hh_l0" + direction, new[] { gates }, TensorInit.Recurrent(h));
        }
    }

    /// <summary>Per direction: gates [T, 4h], c [T, h], h [T, h], then dh [h], dc [h], d a [4h], and a step's dx [F] (the vector paths' second direction).</summary>
    public override int ScratchFloats(LayerSpec spec, Shape input, Shape output)
    {
        RecurrentOptions options = Options<RecurrentOptions>(spec);
        return Directions(options) * PerDirection(input.Steps, options.Units, input.Features);
    }

    private int PerDirection(int steps, int h, int f) => (steps * (Gates + 2) * h) + ((Gates + 2) * h) + f;

    /// <summary>The whole layer's parameters (or gradients): its tensors lie one after the other.</summary>
    private static (int Offset, int Length) Tensors(LayerPlan layer)
    {
        TensorPlan first = layer.Tensors[0], last = layer.Tensors[layer.Tensors.Count - 1];
        return (first.Offset, last.Offset + last.Length - first.Offset);
    }

    private static string AllParameters(LayerPlan layer, LayerOperands o, string buffer, string role)
    {
        (int offset, int length) = Tensors(layer);
        return o.Slot(buffer, offset, length, layer.Name, role, (buffer == "p" ? string.Empty : "d loss / d ") + layer.Name + "'s " + I(layer.Tensors.Count) + " tensors (" + string.Join(", ", Suffixes(layer)) + ")");
    }

    private static IEnumerable<string> Suffixes(LayerPlan layer)
    {
        foreach (TensorPlan t in layer.Tensors)
        {
            yield return t.Suffix;
        }
    }

    /// <summary>Where direction <paramref name="d"/>'s pieces lie: in the layer's parameters (relative to its first tensor) and in its scratch.</summary>
    private readonly record struct DirectionLayout(int Wih, int Whh, int Bih, int Bhh, int Gates, int Cell, int Hidden, int Dh, int Dc, int Da, int Dx);

    private DirectionLayout Layout(LayerPlan layer, int d)
    {
        RecurrentOptions options = Options<RecurrentOptions>(layer);
        int steps = layer.Input.Steps, h = options.Units;
        int baseOffset = layer.Tensors[0].Offset;
        int s = d * PerDirection(steps, h, layer.Input.Features);
        return new DirectionLayout(
            layer.Tensors[(4 * d) + 0].Offset - baseOffset,
            layer.Tensors[(4 * d) + 1].Offset - baseOffset,
            layer.Tensors[(4 * d) + 2].Offset - baseOffset,
            layer.Tensors[(4 * d) + 3].Offset - baseOffset,
            Gates: s,
            Cell: s + (steps * Gates * h),
            Hidden: s + (steps * (Gates + 1) * h),
            Dh: s + (steps * (Gates + 2) * h),
            Dc: s + (steps * (Gates + 2) * h) + h,
            Da: s + (steps * (Gates + 2) * h) + (2 * h),
            Dx: s + (steps * (Gates + 2) * h) + ((Gates + 2) * h));
    }

    /// <summary>Step number k of direction d, as an expression of the loop variable k.</summary>
    private static string StepOf(int d, int steps) => d == 0 ? "k" : I(steps - 1) + " - k";

    /// <summary>The step processed before step t (one earlier in the direction's order), as an expression of t.</summary>
    private static string PreviousOf(int d) => d == 0 ? "t - 1" : "t + 1";

    public override bool HasVectorKernels => true;

    public override void EmitForward(CodeWriter w, LayerPlan layer) => EmitForwardPass(w, layer, 1);

    public override void EmitBackward(CodeWriter w, LayerPlan layer) => EmitBackwardPass(w, layer, 1);

    public override void EmitVectorForward(CodeWriter w, LayerPlan layer, int width) => EmitForwardPass(w, layer, width);

    public override void EmitVectorBackward(CodeWriter w, LayerPlan layer, int width) => EmitBackwardPass(w, layer, width);

    public override string VectorForwardCall(LayerPlan layer, LayerOperands o, int width) => ForwardCall(layer, o).Replace(Forward(layer) + "(", Forward(layer) + Suffix(width) + "(");

    public override string VectorBackwardCall(LayerPlan layer, LayerOperands o, int width) => BackwardCall(layer, o).Replace(Backward(layer) + "(", Backward(layer) + Suffix(width) + "(");

    /// <summary>
    /// The activated gate j of the row, from its pre-activation <c>a</c> (inside the loop over the gate rows): the
    /// expression stored into the gates row.
    /// </summary>
    protected abstract string GateActivation(int h);

    /// <summary>
    /// Inside the loop over units j, with <c>g</c> the index of unit j's first gate in the scratch and <c>k</c>, <c>p</c>
    /// the step count and the step before: computes <c>float hj</c>, the new h, and stores the cell state at
    /// <paramref name="cell"/> (if the kind has one).
    /// </summary>
    protected abstract void EmitStateUpdate(CodeWriter w, int cell, int h);

    /// <summary>
    /// Inside the backward loop over units j, with <c>g</c> and <c>dh</c> (the gradient of unit j's h) known: writes the
    /// gates' pre-activation gradients at <paramref name="da"/> (d a of gate block b at da + b·h + j) and carries the
    /// cell's gradient at <paramref name="dc"/> to the step before.
    /// </summary>
    protected abstract void EmitGateGradients(CodeWriter w, int cell, int dc, int da, int h);

    /// <summary><c> + n</c>, or nothing for 0.</summary>
    private static string Plus(int n) => n == 0 ? string.Empty : " + " + I(n);

    /// <summary>Whether the vector forward runs the gate products in the Dense kernel's row tiles: inputs and units of at least one Vector256.</summary>
    private static bool Tiled(int features, int units, int width) => width > 1 && VectorCode.Lanes(features, width) > 1 && VectorCode.Lanes(units, width) > 1;

    /// <summary>The name of a pass's kernel: the scalar one, or the Vector256 / Vector512 one.</summary>
    private static string Kernel(string pass, int width) => width == 1 ? pass : pass + Suffix(width);

    /// <summary>Σ a·b over <paramref name="n"/> floats: a scalar loop, or the path's vector dot product.</summary>
    private static void Dot(CodeWriter w, int width, string target, string a, int aAt, string aStride, string b, string bAt, int n)
    {
        if (width == 1)
        {
            w.Open("for (int i = 0; i < " + I(n) + "; i++)");
            w.Line(target + " += " + a + "[" + I(aAt) + " + (" + aStride + " * " + I(n) + ") + i] * " + b + "[" + bAt + " + i];");
            w.Close();
            return;
        }

        w.Line(target + " += global::NetGen.VectorOps.Dot" + (width == 16 ? "512" : "256") + "(" + a + ".Slice(" + I(aAt) + " + (" + aStride + " * " + I(n) + "), " + I(n) + "), " + b + ".Slice(" + bAt + ", " + I(n) + "));");
    }

    /// <summary>y[yAt + i] += alpha·x[xAt + i] over <paramref name="n"/> floats: a scalar loop, or the path's vector multiply-add.</summary>
    private static void MultiplyAdd(CodeWriter w, int width, string x, string xAt, string alpha, string y, string yAt, int n)
    {
        if (width == 1)
        {
            w.Open("for (int i = 0; i < " + I(n) + "; i++)");
            w.Line(y + "[" + yAt + " + i] += " + alpha + " * " + x + "[" + xAt + " + i];");
            w.Close();
            return;
        }

        w.Line("global::NetGen.VectorOps.MultiplyAdd" + (width == 16 ? "512" : "256") + "(" + x + ".Slice(" + xAt + ", " + I(n) + "), " + alpha + ", " + y + ".Slice(" + yAt + ", " + I(n) + "));");
    }

    private void EmitForwardPass(CodeWriter w, LayerPlan layer, int width)
    {
        RecurrentOptions options = Options<RecurrentOptions>(layer);
        int steps = layer.Input.Steps, f = layer.Input.Features, h = options.Units, dirs = Directions(options), outWidth = h * dirs;
        bool masked = layer.Input.Masked;
        Summary(w, Head(layer) + (width == 1 ? string.Empty : ", " + Suffix(width)) + ": " + (dirs == 2 ? "both directions" : "one direction") + ", " + (options.ReturnSequences ? "every step's h" : "the final h") + (masked ? "; steps whose token id is 0 are left out" : string.Empty) + (width == 1 ? "." : Tiled(f, h, width) ? "; the gate products in the Dense kernels' row tiles." : "; the row products on the path's vectors (VectorOps)."));
        w.Open("private static void " + Kernel(Forward(layer), width) + "(" + (masked ? ReadOnlySpan + " ids, " : string.Empty) + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + Span + " y, " + Span + " st)");
        for (int d = 0; d < dirs; d++)
        {
            DirectionLayout l = Layout(layer, d);
            w.Open("// " + (d == 0 ? "Forward direction: steps 0 → " + I(steps - 1) : "Reverse direction: steps " + I(steps - 1) + " → 0") + "; gates at " + I(l.Gates) + ", c at " + I(l.Cell) + ", h at " + I(l.Hidden) + " of the scratch.");
            if (Tiled(f, h, width))
            {
                w.Open("for (int j = 0; j < " + I(Gates * h) + "; j++)");
                w.Line("st[" + I(l.Da) + " + j] = w[" + I(l.Bih) + " + j] + w[" + I(l.Bhh) + " + j]; // the two biases once, for the projection's tiles");
                w.Close();
            }

            w.Open("for (int k = 0; k < " + I(steps) + "; k++)");
            w.Line("int t = " + StepOf(d, steps) + ";");
            w.Line("int p = " + PreviousOf(d) + "; // the step before, in this direction's order (none when k = 0)");
            if (masked)
            {
                w.Open("if (ids[t] == 0f)");
                w.Line("// Padding: the state passes through unchanged" + (options.ReturnSequences ? ", the output is zero." : "."));
                w.Open("for (int j = 0; j < " + I(h) + "; j++)");
                w.Line("st[" + I(l.Cell) + " + (t * " + I(h) + ") + j] = k > 0 ? st[" + I(l.Cell) + " + (p * " + I(h) + ") + j] : 0f;");
                w.Line("st[" + I(l.Hidden) + " + (t * " + I(h) + ") + j] = k > 0 ? st[" + I(l.Hidden) + " + (p * " + I(h) + ") + j] : 0f;");
                if (options.ReturnSequences)
                {
                    w.Line("y[(t * " + I(outWidth) + ")" + Plus(d * h) + " + j] = 0f;");
                }

                w.Close();
                w.Line("continue;");
                w.Close();
            }

            w.Line("// a = W_ih·x_t + b_ih + W_hh·h_p + b_hh, then the gates' activations in place.");
            if (Tiled(f, h, width))
            {
                // The Dense forward kernel's row tiles: a = W_ih·x_t + (b_ih + b_hh), then a += W_hh·h_p.
                string gates = I(l.Gates) + " + (t * " + I(Gates * h) + ")";
                w.Open("// Input projection: " + I(Gates * h) + " rows of " + I(f) + ".");
                w.Line(VectorCode.Ref("xr", "x.Slice(t * " + I(f) + ")"));
                w.Line(VectorCode.Ref("wr", "w.Slice(" + I(l.Wih) + ")"));
                w.Line(VectorCode.Ref("br", "st.Slice(" + I(l.Da) + ")") + " // b_ih + b_hh, summed above");
                w.Line(VectorCode.Ref("yr", "st.Slice(" + gates + ")"));
                DenseLayer.EmitRowProducts(w, f, Gates * h, width);
                w.Close();
                w.Open("if (k > 0)");
                w.Line("// Recurrent product: " + I(Gates * h) + " rows of " + I(h) + ", added to the projection.");
                w.Line(VectorCode.Ref("xr", "st.Slice(" + I(l.Hidden) + " + (p * " + I(h) + "))"));
                w.Line(VectorCode.Ref("wr", "w.Slice(" + I(l.Whh) + ")"));
                w.Line(VectorCode.Ref("yr", "st.Slice(" + gates + ")"));
                w.Line("ref float br = ref yr;");
                DenseLayer.EmitRowProducts(w, h, Gates * h, width);
                w.Close();
                w.Open("for (int j = 0; j < " + I(Gates * h) + "; j++)");
                w.Line("float a = st[" + gates + " + j];");
            }
            else
            {
                w.Open("for (int j = 0; j < " + I(Gates * h) + "; j++)");
                w.Line("float a = w[" + I(l.Bih) + " + j] + w[" + I(l.Bhh) + " + j];");
                Dot(w, width, "a", "w", l.Wih, "j", "x", "(t * " + I(f) + ")", f);
                w.Open("if (k > 0)");
                Dot(w, width, "a", "w", l.Whh, "j", "st", I(l.Hidden) + " + (p * " + I(h) + ")", h);
                w.Close();
            }

            w.Line("st[" + I(l.Gates) + " + (t * " + I(Gates * h) + ") + j] = " + GateActivation(h) + ";");
            w.Close();
            w.Open("for (int j = 0; j < " + I(h) + "; j++)");
            w.Line("int g = " + I(l.Gates) + " + (t * " + I(Gates * h) + ") + j;");
            EmitStateUpdate(w, l.Cell, h);
            w.Line("st[" + I(l.Hidden) + " + (t * " + I(h) + ") + j] = hj;");
            if (options.ReturnSequences)
            {
                w.Line("y[(t * " + I(outWidth) + ")" + Plus(d * h) + " + j] = hj;");
            }

            w.Close();
            w.Close();
            if (!options.ReturnSequences)
            {
                int last = d == 0 ? steps - 1 : 0;
                w.Line("st.Slice(" + I(l.Hidden + (last * h)) + ", " + I(h) + ").CopyTo(y.Slice(" + I(d * h) + ", " + I(h) + ")); // the final h: after step " + I(last));
            }

            w.Close();
        }

        w.Close();
    }

    public override string ForwardCall(LayerPlan layer, LayerOperands o) =>
        Forward(layer) + "(" + (layer.Input.Masked ? "input, " : string.Empty) + o.X + ", " + AllParameters(layer, o, "p", "w") + ", " + o.Y + ", " + o.Scratch + ");";

    private void EmitBackwardPass(CodeWriter w, LayerPlan layer, int width)
    {
        RecurrentOptions options = Options<RecurrentOptions>(layer);
        int steps = layer.Input.Steps, f = layer.Input.Features, h = options.Units, dirs = Directions(options), outWidth = h * dirs;
        bool masked = layer.Input.Masked, dx = layer.NeedsInputGradient;
        Summary(w, Head(layer) + (width == 1 ? string.Empty : ", " + Suffix(width)) + ", backward through time: the parameters' gradients added" + (dx ? ", dx written" : " (no input gradient: nothing below learns)") + (masked ? "; padded steps pass dh and dc through" : string.Empty) + ".");
        w.Open("private static void " + Kernel(Backward(layer), width) + "(" + (masked ? ReadOnlySpan + " ids, " : string.Empty) + ReadOnlySpan + " x, " + ReadOnlySpan + " w, " + ReadOnlySpan + " dy, " + Span + " dw, " + Span + " st" + (dx ? ", " + Span + " dx" : string.Empty) + ")");
        if (dx)
        {
            w.Line("dx.Clear();");
        }

        for (int d = 0; d < dirs; d++)
        {
            DirectionLayout l = Layout(layer, d);
            w.Open("// " + (d == 0 ? "Forward direction, its steps from the last back to the first." : "Reverse direction, its steps from step 0 back to the last."));
            w.Line("st.Slice(" + I(l.Dh) + ", " + I(2 * h) + ").Clear(); // dh, dc");
            if (!options.ReturnSequences)
            {
                w.Line("dy.Slice(" + I(d * h) + ", " + I(h) + ").CopyTo(st.Slice(" + I(l.Dh) + ", " + I(h) + ")); // the final h's gradient");
            }

            w.Open("for (int k = " + I(steps - 1) + "; k >= 0; k--)");
            w.Line("int t = " + StepOf(d, steps) + ";");
            w.Line("int p = " + PreviousOf(d) + ";");
            if (masked)
            {
                w.Open("if (ids[t] == 0f)");
                w.Line("continue; // padding: dh and dc pass through to the step before");
                w.Close();
            }

            if (options.ReturnSequences)
            {
                w.Open("for (int j = 0; j < " + I(h) + "; j++)");
                w.Line("st[" + I(l.Dh) + " + j] += dy[(t * " + I(outWidth) + ")" + Plus(d * h) + " + j];");
                w.Close();
            }

            w.Open("for (int j = 0; j < " + I(h) + "; j++)");
            w.Line("int g = " + I(l.Gates) + " + (t * " + I(Gates * h) + ") + j;");
            w.Line("float dh = st[" + I(l.Dh) + " + j];");
            EmitGateGradients(w, l.Cell, l.Dc, l.Da, h);
            w.Close();
            if (Tiled(f, h, width))
            {
                w.Line("// The parameters' gradients" + (dx ? ", dx_t" : string.Empty) + " and the step before's dh in the Dense backward kernel's column blocks.");
                w.Open("for (int j = 0; j < " + I(Gates * h) + "; j++)");
                w.Line("float da = st[" + I(l.Da) + " + j];");
                w.Line("dw[" + I(l.Bih) + " + j] += da;");
                w.Line("dw[" + I(l.Bhh) + " + j] += da;");
                w.Close();
                w.Open("// dW_ih += d a ⊗ x_t" + (dx ? (d == 0 ? ", dx_t = W_ihᵀ·d a" : ", dx_t += W_ihᵀ·d a (through the step's dx row)") : string.Empty) + ".");
                w.Line(VectorCode.Ref("xr", "x.Slice(t * " + I(f) + ")"));
                w.Line(VectorCode.Ref("wr", "w.Slice(" + I(l.Wih) + ")"));
                w.Line(VectorCode.Ref("gr", "st.Slice(" + I(l.Da) + ")"));
                w.Line(VectorCode.Ref("dwr", "dw.Slice(" + I(l.Wih) + ")"));
                if (dx)
                {
                    w.Line(VectorCode.Ref("dxr", d == 0 ? "dx.Slice(t * " + I(f) + ")" : "st.Slice(" + I(l.Dx) + ")"));
                }

                DenseLayer.EmitRowGradients(w, f, Gates * h, width, dx);
                if (dx && d > 0)
                {
                    w.Line("global::NetGen.GradientSum.AddInto(st.Slice(" + I(l.Dx) + ", " + I(f) + "), dx.Slice(t * " + I(f) + ", " + I(f) + "));");
                }

                w.Close();
                w.Open("if (k > 0)");
                w.Line("// dW_hh += d a ⊗ h_p, and the step before's dh = W_hhᵀ·d a.");
                w.Line(VectorCode.Ref("xr", "st.Slice(" + I(l.Hidden) + " + (p * " + I(h) + "))"));
                w.Line(VectorCode.Ref("wr", "w.Slice(" + I(l.Whh) + ")"));
                w.Line(VectorCode.Ref("gr", "st.Slice(" + I(l.Da) + ")"));
                w.Line(VectorCode.Ref("dwr", "dw.Slice(" + I(l.Whh) + ")"));
                w.Line(VectorCode.Ref("dxr", "st.Slice(" + I(l.Dh) + ")"));
                DenseLayer.EmitRowGradients(w, h, Gates * h, width, dx: true);
                w.Close();
                w.Close();
                w.Close();
                continue;
            }

            w.Line("// The parameters' gradients" + (dx ? " and dx_t" : string.Empty) + ".");
            w.Open("for (int j = 0; j < " + I(Gates * h) + "; j++)");
            w.Line("float da = st[" + I(l.Da) + " + j];");
            w.Line("dw[" + I(l.Bih) + " + j] += da;");
            w.Line("dw[" + I(l.Bhh) + " + j] += da;");
            MultiplyAdd(w, width, "x", "(t * " + I(f) + ")", "da", "dw", I(l.Wih) + " + (j * " + I(f) + ")", f);
            if (dx)
            {
                MultiplyAdd(w, width, "w", I(l.Wih) + " + (j * " + I(f) + ")", "da", "dx", "(t * " + I(f) + ")", f);
            }

            w.Open("if (k > 0)");
            MultiplyAdd(w, width, "st", I(l.Hidden) + " + (p * " + I(h) + ")", "da", "dw", I(l.Whh) + " + (j * " + I(h) + ")", h);
            w.Close();
            w.Close();
            w.Line("// dh of the step before: W_hhᵀ · d a.");
            w.Line("st.Slice(" + I(l.Dh) + ", " + I(h) + ").Clear();");
            w.Open("for (int j = 0; j < " + I(Gates * h) + "; j++)");
            w.Line("float da = st[" + I(l.Da) + " + j];");
            MultiplyAdd(w, width, "w", I(l.Whh) + " + (j * " + I(h) + ")", "da", "st", I(l.Dh), h);
            w.Close();
            w.Close();
            w.Close();
        }

        w.Close();
    }

    public override string BackwardCall(LayerPlan layer, LayerOperands o) =>
        Backward(layer) + "(" + (layer.Input.Masked ? "input, " : string.Empty) + o.X + ", " + AllParameters(layer, o, "p", "w") + ", " + o.Dy + ", " + AllParameters(layer, o, "gradients", "dw") + ", " + o.Scratch
        + (layer.NeedsInputGradient ? ", " + o.Dx : string.Empty) + ");";
}

/// <summary><c>[LSTM(units, ReturnSequences = false, Bidirectional = false)]</c> and <c>[SimpleRNN(…)]</c>.</summary>
internal sealed record RecurrentOptions(int Units, bool ReturnSequences, bool Bidirectional) : LayerOptions;
