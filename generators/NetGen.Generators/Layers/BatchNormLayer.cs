using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Generators.Diagnostics;
using NetGen.Generators.Emit;
using NetGen.Generators.Layers.Gpu;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// Batch normalization over channels: C channels of S = H·W values each (S = 1 after a Dense). In training the
/// layer needs the statistics of the whole batch, which one sample's pass cannot see, so its work is split in
/// halves around a batch-wide reduction that the runtime does between two segments of the network:
/// <list type="bullet">
/// <item><c>Statistics</c> (end of a forward segment): this sample's per-channel sum and centered sum of squares.</item>
/// <item><c>Forward</c> (start of the next segment): x̂ = (x − μ)·(1/σ) with the batch's μ and 1/σ from the batch
/// state, kept for backward; y = γ·x̂ + β.</item>
/// <item><c>Backward</c> (end of a backward segment): this sample's Σ dy and Σ dy·x̂ per channel, which are also its
/// contribution to dβ and dγ.</item>
/// <item><c>BackwardInput</c> (start of the next backward segment): dx = γ/σ · (dy − mean(dy) − x̂·mean(dy·x̂)),
/// the means taken over the batch.</item>
/// </list>
/// <c>ForwardEval</c> normalizes with the running statistics instead. The scratch slot holds x̂ (the sample's
/// size, rounded up to 16 floats) and then the 2·C statistics the runtime reads.
/// </summary>
internal sealed class BatchNormLayer : LayerKind, ISegmentBoundary
{
    public override string DisplayName => "BatchNorm";

    public override string NamePrefix => "bn";

    /// <inheritdoc/>
    public override GpuLayerKind GpuKind { get; } = new GpuBatchNormLayer();

    /// <summary>Besides the passes of every kind: the statistics, the evaluation forward and the input gradient, on each path.</summary>
    public override IEnumerable<string> MemberSuffixes => base.MemberSuffixes.Concat(s_ownSuffixes);

    private static readonly string[] s_ownSuffixes =
    {
        "Statistics", "StatisticsV256", "StatisticsV512", "ForwardEval", "ForwardEvalV256", "ForwardEvalV512",
        "BackwardInput", "BackwardInputV256", "BackwardInputV512",
    };

    /// <summary>The running statistics' buffers and the segmented training passes between batch-wide statistics.</summary>
    public override IEnumerable<string> NetworkMembers => new[]
    {
        "Buffers", "BufferCount", "BakedBuffers", "_buffers", "SegmentCount", "BatchStateSize", "BatchNorms", "s_batchNorms",
        "ForwardSegment", "BackwardSegment", "ForwardCore",
    };

    public override bool HasParameters => true;

    public override bool HasVectorKernels => true;

    /// <summary><c>[BatchNorm(Epsilon = 1e-5, Momentum = 0.1)]</c>, PyTorch's defaults.</summary>
    public override LayerSpec ReadArguments(LayerArguments a) =>
        a.Spec(new BatchNormOptions(a.NamedNumber("Epsilon") ?? 1e-5, a.NamedNumber("Momentum") ?? 0.1));

    /// <summary>Normalizing is transparent to initialisation: the layer before initialises for the layer after.</summary>
    public override bool TransparentToInit => true;

    /// <summary>The batch's mean, 1/σ, mean dy and mean dy·x̂ per channel.</summary>
    public override int BatchStateFloats(LayerSpec spec, Shape input) => 4 * input.C;

    public override Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics)
    {
        // Written so that NaN fails too. The kernels use the nearest float: an epsilon that rounds to 0 or to
        // infinity is as wrong as one written so (a momentum in [0, 1] stays in it).
        BatchNormOptions options = Options<BatchNormOptions>(spec);
        bool ok = RejectSequence(input, name, spec, diagnostics);
        float epsilon = (float)options.WrittenEpsilon;
        if (!(options.WrittenEpsilon > 0 && !double.IsInfinity(options.WrittenEpsilon)))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayerArgument, spec.Location, DisplayName, name, "Epsilon", Written(options.WrittenEpsilon), "finite and > 0"));
            ok = false;
        }
        else if (!(epsilon > 0f && !float.IsInfinity(epsilon)))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayerArgument, spec.Location, DisplayName, name, "Epsilon", AsFloat(options.WrittenEpsilon), "finite and > 0"));
            ok = false;
        }

        if (!(options.WrittenMomentum >= 0 && options.WrittenMomentum <= 1))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayerArgument, spec.Location, DisplayName, name, "Momentum", Written(options.WrittenMomentum), "in [0, 1]"));
            ok = false;
        }

        return ok ? input : null;
    }

    /// <summary>γ starts at one and β at zero: a fresh BatchNorm passes the normalised input through.</summary>
    public override IEnumerable<TensorSpec> ParameterTensors(LayerSpec spec, Shape input, Shape output)
    {
        yield return new TensorSpec("weight", new[] { input.C }, TensorInit.Ones);
        yield return new TensorSpec("bias", new[] { input.C }, TensorInit.Zeros);
    }

    /// <summary>The running statistics start as PyTorch's do: mean zero, variance one.</summary>
    public override IEnumerable<TensorSpec> BufferTensors(LayerSpec spec, Shape input, Shape output)
    {
        yield return new TensorSpec("running_mean", new[] { input.C }, TensorInit.Zeros);
        yield return new TensorSpec("running_var", new[] { input.C }, TensorInit.Ones);
    }

    /// <summary>x̂ (rounded up to whole 16-float lines), then the sample's 2·C statistics.</summary>
    public override int ScratchFloats(LayerSpec spec, Shape input, Shape output) => StatisticsAt(input) + (2 * input.C);

    /// <summary>
    /// The layer's <c>global::NetGen.BatchNormInfo</c> entry (a target-typed <c>new(…)</c>): where the trainer finds its
    /// per-sample statistics, its batch state and its running statistics (by key, not by tensor index).
    /// </summary>
    public string BatchStateEntry(LayerPlan l, int index, int segment) => CodeWriter.Format(
        "new(\"{0}\", {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9}, {10})",
        l.Name, index, segment, l.Input.C, l.Input.H * l.Input.W, l.ScratchOffset + StatisticsAt(l.Input), l.StateOffset,
        Tensor(l, "running_mean").Offset, Tensor(l, "running_var").Offset, F(Settings(l).Epsilon), F(Settings(l).Momentum));

    private static BatchNormOptions Settings(LayerPlan l) => Options<BatchNormOptions>(l);

    private static TensorPlan Tensor(LayerPlan l, string suffix) => l.Tensors.First(t => t.Suffix == suffix);

    /// <summary>Offset of the statistics inside the scratch slot.</summary>
    public static int StatisticsAt(Shape input) => (input.Size + 15) / 16 * 16;

    private static int Channels(LayerPlan l) => l.Input.C;

    private static int Spatial(LayerPlan l) => l.Input.H * l.Input.W;

    // ---- Operands: slices of the caller's workspace, parameters, buffers and batch state. ----

    public override IEnumerable<WorkspaceMap.Slot> ScratchSlots(LayerPlan l)
    {
        yield return new WorkspaceMap.Slot("xhat", l.ScratchOffset, l.Input.Size, "x̂ (normalized input)", l.Input.ToDimensionList());
        yield return new WorkspaceMap.Slot("stats", l.ScratchOffset + StatisticsAt(l.Input), 2 * Channels(l), "per-sample Σ x, Σ (x − mean)²", "[2, " + I(Channels(l)) + "]");
    }

    private static string XHat(LayerPlan l, LayerOperands o) =>
        o.Slot("workspace", l.ScratchOffset, l.Input.Size, l.Name, "xhat", l.Name + " x̂ " + l.Input.ToDimensionList());

    private static string Stats(LayerPlan l, LayerOperands o) =>
        o.Slot("workspace", l.ScratchOffset + StatisticsAt(l.Input), 2 * Channels(l), l.Name, "stats", l.Name + " per-sample Σ x and Σ (x − mean)², [2, " + I(Channels(l)) + "]");

    /// <summary>
    /// The batch state, sliced where it is used and never a slot declared at the top of the pass: an evaluation
    /// pass (Predict, Forward) receives it empty, and only the training calls read it.
    /// </summary>
    private static string State(LayerPlan l) => CodeWriter.Format("state.Slice({0}, {1})", l.StateOffset, 4 * Channels(l));

    private static string RunningMean(LayerPlan l, LayerOperands o) =>
        o.Slot("buffers", l.Tensors[2].Offset, Channels(l), l.Name, "mean", l.Name + "." + l.Tensors[2].Suffix + " [" + I(Channels(l)) + "]");

    private static string RunningVar(LayerPlan l, LayerOperands o) =>
        o.Slot("buffers", l.Tensors[3].Offset, Channels(l), l.Name, "var", l.Name + "." + l.Tensors[3].Suffix + " [" + I(Channels(l)) + "]");

    /// <summary>Whether the vector paths run this layer's vector kernels (S = 1: lanes across channels; S ≥ 8: lanes within a channel).</summary>
    private static bool Vectorizes(LayerPlan l) => Spatial(l) == 1 ? Channels(l) >= 8 : Spatial(l) >= 8;

    private static string Name(LayerPlan l, string pass, int width) =>
        l.PropertyName + pass + (width == 1 || !Vectorizes(l) ? string.Empty : Suffix(width));

    /// <summary>The call of the per-sample statistics at the end of a forward segment.</summary>
    public string StatisticsCall(LayerPlan l, LayerOperands o, int width) =>
        Name(l, "Statistics", width) + "(" + o.X + ", " + Stats(l, o) + ");";

    /// <summary>The evaluation-mode call (running statistics).</summary>
    public string EvaluationCall(LayerPlan l, LayerOperands o, int width) =>
        Name(l, "ForwardEval", width) + "(" + o.X + ", " + o.Y + ", " + o.W + ", " + o.B + ", " + RunningMean(l, o) + ", " + RunningVar(l, o) + ");";

    /// <summary>The call that turns dy into dx at the start of a backward segment.</summary>
    public string BackwardInputCall(LayerPlan l, LayerOperands o, int width) =>
        Name(l, "BackwardInput", width) + "(" + o.Dy + ", " + XHat(l, o) + ", " + o.W + ", " + State(l) + ", " + o.Dx + ");";

    public override string ForwardCall(LayerPlan layer, LayerOperands o) => TrainCall(layer, o, 1);

    public override string VectorForwardCall(LayerPlan layer, LayerOperands o, int width) => TrainCall(layer, o, width);

    public override string BackwardCall(LayerPlan layer, LayerOperands o) => BackwardStatsCall(layer, o, 1);

    public override string VectorBackwardCall(LayerPlan layer, LayerOperands o, int width) => BackwardStatsCall(layer, o, width);

    private static string TrainCall(LayerPlan l, LayerOperands o, int width) =>
        Name(l, "Forward", width) + "(" + o.X + ", " + o.Y + ", " + XHat(l, o) + ", " + o.W + ", " + o.B + ", " + State(l) + ");";

    private static string BackwardStatsCall(LayerPlan l, LayerOperands o, int width) =>
        Name(l, "Backward", width) + "(" + o.Dy + ", " + XHat(l, o) + ", " + Stats(l, o) + ", " + o.DW + ", " + o.DB + ");";

    // ---- Scalar kernels: the reference, one value at a time. ----

    public override void EmitForward(CodeWriter w, LayerPlan l)
    {
        int c = Channels(l), s = Spatial(l);
        string perChannel = I(c) + " channels of " + I(s) + (s == 1 ? " value" : " values");
        Summary(w, Head(l) + ", per-sample statistics (" + perChannel + "): stats[c] = Σ x, stats[" + I(c) + " + c] = Σ (x − mean)².");
        w.Open("private static void " + l.PropertyName + "Statistics(" + ReadOnlySpan + " x, " + Span + " stats)");
        string ch = OpenChannel(w, c, s);
        w.Line("float sum = 0f;");
        string at = OpenValues(w, ch, s);
        w.Line("sum += x[" + at + "];");
        w.EndFor();
        w.Line("float mean = sum / " + F(s) + ";");
        w.Line("float squares = 0f;");
        OpenValues(w, ch, s);
        w.Line("float d = x[" + at + "] - mean;");
        w.Line("squares += d * d;");
        w.EndFor();
        w.Line("stats[" + ch + "] = sum;");
        w.Line("stats[" + Plus(c, ch) + "] = squares;");
        w.EndFor();
        w.Close();
        w.Line();

        Summary(w, Head(l) + ", training: x̂ = (x − μ)·(1/σ) with the batch's μ = state[c], 1/σ = state[" + I(c) + " + c]; y = γ·x̂ + β.");
        w.Open("private static void " + l.PropertyName + "Forward(" + ReadOnlySpan + " x, " + Span + " y, " + Span + " xhat, " + ReadOnlySpan + " gamma, " + ReadOnlySpan + " beta, " + ReadOnlySpan + " state)");
        ch = OpenChannel(w, c, s);
        w.Line("float mean = state[" + ch + "], invStd = state[" + Plus(c, ch) + "], g = gamma[" + ch + "], b = beta[" + ch + "];");
        at = OpenValues(w, ch, s);
        w.Line("float h = (x[" + at + "] - mean) * invStd;");
        w.Line("xhat[" + at + "] = h;");
        w.Line("y[" + at + "] = (g * h) + b;");
        w.EndFor();
        w.EndFor();
        w.Close();
        w.Line();

        Summary(w, Head(l) + ", evaluation: normalized with the running statistics, ε = " + F(Settings(l).Epsilon) + ".");
        w.Open("private static void " + l.PropertyName + "ForwardEval(" + ReadOnlySpan + " x, " + Span + " y, " + ReadOnlySpan + " gamma, " + ReadOnlySpan + " beta, " + ReadOnlySpan + " runningMean, " + ReadOnlySpan + " runningVar)");
        ch = OpenChannel(w, c, s);
        w.Line("float mean = runningMean[" + ch + "], invStd = 1f / global::System.MathF.Sqrt(runningVar[" + ch + "] + " + F(Settings(l).Epsilon) + "), g = gamma[" + ch + "], b = beta[" + ch + "];");
        at = OpenValues(w, ch, s);
        w.Line("y[" + at + "] = (g * ((x[" + at + "] - mean) * invStd)) + b;");
        w.EndFor();
        w.EndFor();
        w.Close();
    }

    public override void EmitBackward(CodeWriter w, LayerPlan l)
    {
        int c = Channels(l), s = Spatial(l);
        Summary(w, Head(l) + ", backward statistics: stats[c] = Σ dy, stats[" + I(c) + " + c] = Σ dy·x̂; dβ += Σ dy, dγ += Σ dy·x̂.");
        w.Open("private static void " + l.PropertyName + "Backward(" + ReadOnlySpan + " dy, " + ReadOnlySpan + " xhat, " + Span + " stats, " + Span + " dGamma, " + Span + " dBeta)");
        string ch = OpenChannel(w, c, s);
        w.Line("float sumDy = 0f, sumDyXhat = 0f;");
        string at = OpenValues(w, ch, s);
        w.Line("sumDy += dy[" + at + "];");
        w.Line("sumDyXhat += dy[" + at + "] * xhat[" + at + "];");
        w.EndFor();
        w.Line("stats[" + ch + "] = sumDy;");
        w.Line("stats[" + Plus(c, ch) + "] = sumDyXhat;");
        w.Line("dGamma[" + ch + "] += sumDyXhat;");
        w.Line("dBeta[" + ch + "] += sumDy;");
        w.EndFor();
        w.Close();

        if (!l.NeedsInputGradient)
        {
            return;
        }

        w.Line();
        Summary(w, Head(l) + ", input gradient: dx = γ·(1/σ)·(dy − mean(dy) − x̂·mean(dy·x̂)), batch means in state[" + I(2 * c) + " + c] and state[" + I(3 * c) + " + c].");
        w.Open("private static void " + l.PropertyName + "BackwardInput(" + ReadOnlySpan + " dy, " + ReadOnlySpan + " xhat, " + ReadOnlySpan + " gamma, " + ReadOnlySpan + " state, " + Span + " dx)");
        ch = OpenChannel(w, c, s);
        w.Line("float k = gamma[" + ch + "] * state[" + Plus(c, ch) + "], meanDy = state[" + Plus(2 * c, ch) + "], meanDyXhat = state[" + Plus(3 * c, ch) + "];");
        at = OpenValues(w, ch, s);
        w.Line("dx[" + at + "] = k * (dy[" + at + "] - meanDy - (xhat[" + at + "] * meanDyXhat));");
        w.EndFor();
        w.EndFor();
        w.Close();
    }

    /// <summary>Opens the loop over channels (nothing for one channel) and, with several values per channel, declares <c>o</c>, the channel's first; returns the channel index.</summary>
    private static string OpenChannel(CodeWriter w, int channels, int spatial)
    {
        string ch = w.For("c", channels);
        if (spatial > 1)
        {
            w.Line("int o = " + CodeWriter.Sum(0, (ch, spatial)) + ";");
        }

        return ch;
    }

    /// <summary>Opens the loop over one channel's values (nothing for one value); returns the value's index.</summary>
    private static string OpenValues(CodeWriter w, string channel, int spatial)
    {
        string i = w.For("i", spatial);
        return spatial > 1 ? "o + " + i : channel;
    }

    /// <summary>state[k + c] and the like, folded.</summary>
    private static string Plus(int constant, string channel) => CodeWriter.Sum(constant, (channel, 1));

    // ---- Vector kernels. S = 1: lanes across channels. S ≥ 8: a loop over channels, lanes along the channel. ----

    public override void EmitVectorForward(CodeWriter w, LayerPlan l, int width)
    {
        if (!Vectorizes(l))
        {
            return;
        }

        int c = Channels(l), s = Spatial(l);
        string sfx = Suffix(width);
        string V = VectorCode.Vec(Lanes(l, width));

        // Statistics.
        Summary(w, Head(l) + ", " + sfx + " per-sample statistics (see the scalar kernel).");
        w.Open("private static void " + l.PropertyName + "Statistics" + sfx + "(" + ReadOnlySpan + " x, " + Span + " stats)");
        if (s == 1)
        {
            w.Line("// One value per channel: its sum is the value, its centered sum of squares zero.");
            w.Line("x.Slice(0, " + I(c) + ").CopyTo(stats);");
            w.Line("stats.Slice(" + I(c) + ", " + I(c) + ").Clear();");
        }
        else
        {
            w.Line(VectorCode.Ref("xr", "x"));
            PerChannel(w, l, width, () =>
            {
                w.Line("var acc = " + VectorCode.Zero(Lanes(l, width)) + ";");
                Along(w, l, width, at => w.Line("acc += " + VectorCode.Load(Lanes(l, width), "xr", at) + ";"));
                w.Line("float sum = " + V + ".Sum(acc);");
                Tail(w, l, width, at => w.Line("sum += " + VectorCode.At("xr", at) + ";"));
                w.Line("float mean = sum / " + F(s) + ";");
                w.Line("var vmean = " + V + ".Create(mean);");
                w.Line("var sq = " + VectorCode.Zero(Lanes(l, width)) + ";");
                Along(w, l, width, at =>
                {
                    w.Line("var d = " + VectorCode.Load(Lanes(l, width), "xr", at) + " - vmean;");
                    w.Line("sq = " + VectorCode.Fma(Lanes(l, width), "d", "d", "sq") + ";");
                });
                w.Line("float squares = " + V + ".Sum(sq);");
                Tail(w, l, width, at =>
                {
                    w.Line("float d = " + VectorCode.At("xr", at) + " - mean;");
                    w.Line("squares += d * d;");
                });
                w.Line("stats[c] = sum;");
                w.Line("stats[" + I(c) + " + c] = squares;");
            });
        }

        w.Close();
        w.Line();

        // Training forward.
        Summary(w, Head(l) + ", " + sfx + " training forward (see the scalar kernel).");
        w.Open("private static void " + l.PropertyName + "Forward" + sfx + "(" + ReadOnlySpan + " x, " + Span + " y, " + Span + " xhat, " + ReadOnlySpan + " gamma, " + ReadOnlySpan + " beta, " + ReadOnlySpan + " state)");
        w.Line(VectorCode.Ref("xr", "x"));
        w.Line(VectorCode.Ref("yr", "y"));
        w.Line(VectorCode.Ref("hr", "xhat"));
        if (s == 1)
        {
            w.Line(VectorCode.Ref("sr", "state"));
            w.Line(VectorCode.Ref("gr", "gamma"));
            w.Line(VectorCode.Ref("br", "beta"));
            int lanes = Lanes(l, width);
            Across(w, c, lanes, at =>
            {
                w.Line("var h = (" + VectorCode.Load(lanes, "xr", at) + " - " + VectorCode.Load(lanes, "sr", at) + ") * " + VectorCode.Load(lanes, "sr", VectorCode.Plus(at, c)) + ";");
                w.Line(VectorCode.Store(lanes, "h", "hr", at));
                w.Line(VectorCode.Store(lanes, VectorCode.Fma(lanes, VectorCode.Load(lanes, "gr", at), "h", VectorCode.Load(lanes, "br", at)), "yr", at));
            }, at =>
            {
                w.Line("float h = (x[" + at + "] - state[" + at + "]) * state[" + I(c) + " + " + at + "];");
                w.Line("xhat[" + at + "] = h;");
                w.Line("y[" + at + "] = (gamma[" + at + "] * h) + beta[" + at + "];");
            });
        }
        else
        {
            PerChannel(w, l, width, () =>
            {
                w.Line("float mean = state[c], invStd = state[" + I(c) + " + c], g = gamma[c], b = beta[c];");
                w.Line("var vmean = " + V + ".Create(mean);");
                w.Line("var vinv = " + V + ".Create(invStd);");
                w.Line("var vg = " + V + ".Create(g);");
                w.Line("var vb = " + V + ".Create(b);");
                int lanes = Lanes(l, width);
                Along(w, l, width, at =>
                {
                    w.Line("var h = (" + VectorCode.Load(lanes, "xr", at) + " - vmean) * vinv;");
                    w.Line(VectorCode.Store(lanes, "h", "hr", at));
                    w.Line(VectorCode.Store(lanes, VectorCode.Fma(lanes, "vg", "h", "vb"), "yr", at));
                });
                Tail(w, l, width, at =>
                {
                    w.Line("float h = (" + VectorCode.At("xr", at) + " - mean) * invStd;");
                    w.Line(VectorCode.At("hr", at) + " = h;");
                    w.Line(VectorCode.At("yr", at) + " = (g * h) + b;");
                });
            });
        }

        w.Close();
        w.Line();

        // Evaluation forward.
        Summary(w, Head(l) + ", " + sfx + " evaluation forward (see the scalar kernel).");
        w.Open("private static void " + l.PropertyName + "ForwardEval" + sfx + "(" + ReadOnlySpan + " x, " + Span + " y, " + ReadOnlySpan + " gamma, " + ReadOnlySpan + " beta, " + ReadOnlySpan + " runningMean, " + ReadOnlySpan + " runningVar)");
        w.Line(VectorCode.Ref("xr", "x"));
        w.Line(VectorCode.Ref("yr", "y"));
        if (s == 1)
        {
            w.Line(VectorCode.Ref("mr", "runningMean"));
            w.Line(VectorCode.Ref("vr", "runningVar"));
            w.Line(VectorCode.Ref("gr", "gamma"));
            w.Line(VectorCode.Ref("br", "beta"));
            int lanes = Lanes(l, width);
            string vl = VectorCode.Vec(lanes);
            Across(w, c, lanes, at =>
            {
                w.Line("var invStd = " + VectorCode.One(lanes) + " / " + vl + ".Sqrt(" + VectorCode.Load(lanes, "vr", at) + " + " + vl + ".Create(" + F(Settings(l).Epsilon) + "));");
                w.Line("var h = (" + VectorCode.Load(lanes, "xr", at) + " - " + VectorCode.Load(lanes, "mr", at) + ") * invStd;");
                w.Line(VectorCode.Store(lanes, VectorCode.Fma(lanes, VectorCode.Load(lanes, "gr", at), "h", VectorCode.Load(lanes, "br", at)), "yr", at));
            }, at => w.Line("y[" + at + "] = (gamma[" + at + "] * ((x[" + at + "] - runningMean[" + at + "]) * (1f / global::System.MathF.Sqrt(runningVar[" + at + "] + " + F(Settings(l).Epsilon) + ")))) + beta[" + at + "];"));
        }
        else
        {
            PerChannel(w, l, width, () =>
            {
                w.Line("float mean = runningMean[c], invStd = 1f / global::System.MathF.Sqrt(runningVar[c] + " + F(Settings(l).Epsilon) + "), g = gamma[c], b = beta[c];");
                w.Line("var vmean = " + V + ".Create(mean);");
                w.Line("var vinv = " + V + ".Create(invStd);");
                w.Line("var vg = " + V + ".Create(g);");
                w.Line("var vb = " + V + ".Create(b);");
                int lanes = Lanes(l, width);
                Along(w, l, width, at =>
                    w.Line(VectorCode.Store(lanes, VectorCode.Fma(lanes, "vg", "(" + VectorCode.Load(lanes, "xr", at) + " - vmean) * vinv", "vb"), "yr", at)));
                Tail(w, l, width, at => w.Line(VectorCode.At("yr", at) + " = (g * ((" + VectorCode.At("xr", at) + " - mean) * invStd)) + b;"));
            });
        }

        w.Close();
    }

    public override void EmitVectorBackward(CodeWriter w, LayerPlan l, int width)
    {
        if (!Vectorizes(l))
        {
            return;
        }

        int c = Channels(l), s = Spatial(l);
        string sfx = Suffix(width);
        string V = VectorCode.Vec(Lanes(l, width));
        int lanes = Lanes(l, width);

        Summary(w, Head(l) + ", " + sfx + " backward statistics (see the scalar kernel).");
        w.Open("private static void " + l.PropertyName + "Backward" + sfx + "(" + ReadOnlySpan + " dy, " + ReadOnlySpan + " xhat, " + Span + " stats, " + Span + " dGamma, " + Span + " dBeta)");
        w.Line(VectorCode.Ref("dr", "dy"));
        w.Line(VectorCode.Ref("hr", "xhat"));
        if (s == 1)
        {
            w.Line(VectorCode.Ref("sr", "stats"));
            w.Line(VectorCode.Ref("gr", "dGamma"));
            w.Line(VectorCode.Ref("br", "dBeta"));
            Across(w, c, lanes, at =>
            {
                w.Line("var d = " + VectorCode.Load(lanes, "dr", at) + ";");
                w.Line("var dh = d * " + VectorCode.Load(lanes, "hr", at) + ";");
                w.Line(VectorCode.Store(lanes, "d", "sr", at));
                w.Line(VectorCode.Store(lanes, "dh", "sr", VectorCode.Plus(at, c)));
                w.Line(VectorCode.Store(lanes, VectorCode.Load(lanes, "gr", at) + " + dh", "gr", at));
                w.Line(VectorCode.Store(lanes, VectorCode.Load(lanes, "br", at) + " + d", "br", at));
            }, at =>
            {
                w.Line("float dh = dy[" + at + "] * xhat[" + at + "];");
                w.Line("stats[" + at + "] = dy[" + at + "];");
                w.Line("stats[" + I(c) + " + " + at + "] = dh;");
                w.Line("dGamma[" + at + "] += dh;");
                w.Line("dBeta[" + at + "] += dy[" + at + "];");
            });
        }
        else
        {
            PerChannel(w, l, width, () =>
            {
                w.Line("var accDy = " + VectorCode.Zero(lanes) + ";");
                w.Line("var accDyXhat = " + VectorCode.Zero(lanes) + ";");
                Along(w, l, width, at =>
                {
                    w.Line("var d = " + VectorCode.Load(lanes, "dr", at) + ";");
                    w.Line("accDy += d;");
                    w.Line("accDyXhat = " + VectorCode.Fma(lanes, "d", VectorCode.Load(lanes, "hr", at), "accDyXhat") + ";");
                });
                w.Line("float sumDy = " + V + ".Sum(accDy), sumDyXhat = " + V + ".Sum(accDyXhat);");
                Tail(w, l, width, at =>
                {
                    w.Line("sumDy += " + VectorCode.At("dr", at) + ";");
                    w.Line("sumDyXhat += " + VectorCode.At("dr", at) + " * " + VectorCode.At("hr", at) + ";");
                });
                w.Line("stats[c] = sumDy;");
                w.Line("stats[" + I(c) + " + c] = sumDyXhat;");
                w.Line("dGamma[c] += sumDyXhat;");
                w.Line("dBeta[c] += sumDy;");
            });
        }

        w.Close();
        if (!l.NeedsInputGradient)
        {
            return;
        }

        w.Line();
        Summary(w, Head(l) + ", " + sfx + " input gradient (see the scalar kernel).");
        w.Open("private static void " + l.PropertyName + "BackwardInput" + sfx + "(" + ReadOnlySpan + " dy, " + ReadOnlySpan + " xhat, " + ReadOnlySpan + " gamma, " + ReadOnlySpan + " state, " + Span + " dx)");
        w.Line(VectorCode.Ref("dr", "dy"));
        w.Line(VectorCode.Ref("hr", "xhat"));
        w.Line(VectorCode.Ref("xr", "dx"));
        if (s == 1)
        {
            w.Line(VectorCode.Ref("sr", "state"));
            w.Line(VectorCode.Ref("gr", "gamma"));
            Across(w, c, lanes, at =>
            {
                w.Line("var k = " + VectorCode.Load(lanes, "gr", at) + " * " + VectorCode.Load(lanes, "sr", VectorCode.Plus(at, c)) + ";");
                w.Line("var centered = " + VectorCode.Load(lanes, "dr", at) + " - " + VectorCode.Load(lanes, "sr", VectorCode.Plus(at, 2 * c))
                    + " - (" + VectorCode.Load(lanes, "hr", at) + " * " + VectorCode.Load(lanes, "sr", VectorCode.Plus(at, 3 * c)) + ");");
                w.Line(VectorCode.Store(lanes, "k * centered", "xr", at));
            }, at => w.Line("dx[" + at + "] = gamma[" + at + "] * state[" + I(c) + " + " + at + "] * (dy[" + at + "] - state[" + I(2 * c) + " + " + at + "] - (xhat[" + at + "] * state[" + I(3 * c) + " + " + at + "]));"));
        }
        else
        {
            PerChannel(w, l, width, () =>
            {
                w.Line("float k = gamma[c] * state[" + I(c) + " + c], meanDy = state[" + I(2 * c) + " + c], meanDyXhat = state[" + I(3 * c) + " + c];");
                w.Line("var vk = " + V + ".Create(k);");
                w.Line("var vmdy = " + V + ".Create(meanDy);");
                w.Line("var vmdh = " + V + ".Create(meanDyXhat);");
                Along(w, l, width, at =>
                    w.Line(VectorCode.Store(lanes, "vk * (" + VectorCode.Load(lanes, "dr", at) + " - vmdy - (" + VectorCode.Load(lanes, "hr", at) + " * vmdh))", "xr", at)));
                Tail(w, l, width, at =>
                    w.Line(VectorCode.At("xr", at) + " = k * (" + VectorCode.At("dr", at) + " - meanDy - (" + VectorCode.At("hr", at) + " * meanDyXhat));"));
            });
        }

        w.Close();
    }

    private static int Lanes(LayerPlan l, int width) => VectorCode.Lanes(Spatial(l) == 1 ? Channels(l) : Spatial(l), width);

    /// <summary>A loop over channels with <c>o</c> the channel's first value.</summary>
    private static void PerChannel(CodeWriter w, LayerPlan l, int width, Action body)
    {
        w.Open("for (int c = 0; c < " + I(Channels(l)) + "; c++)");
        w.Line("int o = c * " + I(Spatial(l)) + ";");
        body();
        w.Close();
    }

    /// <summary>The whole vectors along one channel (offsets <c>o + i</c>).</summary>
    private static void Along(CodeWriter w, LayerPlan l, int width, Action<string> vector)
    {
        int lanes = Lanes(l, width), s = Spatial(l);
        int whole = s / lanes * lanes;
        w.Open("for (int i = 0; i < " + I(whole) + "; i += " + I(lanes) + ")");
        vector("o + i");
        w.Close();
    }

    /// <summary>The values after the last whole vector of a channel, one at a time; nothing when there are none.</summary>
    private static void Tail(CodeWriter w, LayerPlan l, int width, Action<string> scalar)
    {
        int lanes = Lanes(l, width), s = Spatial(l);
        int whole = s / lanes * lanes;
        if (whole == s)
        {
            return;
        }

        w.Open("for (int i = " + I(whole) + "; i < " + I(s) + "; i++)");
        scalar("o + i");
        w.Close();
    }

    /// <summary>Vectors across <paramref name="n"/> channels, then the rest one at a time (offset <c>j</c>).</summary>
    private static void Across(CodeWriter w, int n, int lanes, Action<string> vector, Action<string> scalar)
    {
        int whole = n / lanes * lanes;
        w.Open("for (int j = 0; j < " + I(whole) + "; j += " + I(lanes) + ")");
        vector("j");
        w.Close();
        if (whole < n)
        {
            w.Open("for (int j = " + I(whole) + "; j < " + I(n) + "; j++)");
            scalar("j");
            w.Close();
        }
    }
}

/// <summary>BatchNorm's options as written (double precision, checked by the kind) and as the kernels use them (the nearest floats).</summary>
/// <param name="WrittenEpsilon">Added to the variance; PyTorch's default 1e-5.</param>
/// <param name="WrittenMomentum">The running statistics' update weight; PyTorch's default 0.1.</param>
internal sealed record BatchNormOptions(double WrittenEpsilon, double WrittenMomentum) : LayerOptions
{
    /// <summary>The epsilon the kernels use.</summary>
    public float Epsilon => (float)WrittenEpsilon;

    /// <summary>The momentum the kernels use.</summary>
    public float Momentum => (float)WrittenMomentum;
}
