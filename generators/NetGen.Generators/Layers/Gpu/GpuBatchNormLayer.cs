using NetGen.Generators.Emit;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers.Gpu;

/// <summary>
/// BatchNorm on the GPU, in the CPU's halves with the batch-wide reductions as kernels between them, so a
/// training step never leaves the device: per-sample statistics (one thread per sample and channel, into the
/// same workspace slot as on the CPU), then the batch's mean and 1/σ per channel combined in sample order with
/// Chan's formula, as <c>BatchNormalization.GatherForward</c> does (one thread per channel, which also moves the
/// running statistics), then the normalization; backward mirrors it (per-sample Σ dy and Σ dy·x̂, the batch means
/// and dγ, dβ per channel, then the input gradient). Evaluation normalizes with the running statistics.
/// </summary>
internal sealed class GpuBatchNormLayer : GpuLayerKind
{
    private static BatchNormOptions Settings(LayerPlan l) => (BatchNormOptions)l.Options;

    public override void EmitKernels(GpuNetwork g, int i)
    {
        LayerPlan l = g.Layer(i);
        CodeWriter k = g.Kernels;
        int c = l.Input.C, sp = l.Input.H * l.Input.W;
        string C = I(c), S = I(sp);
        int gamma = l.Tensors[0].Offset, beta = l.Tensors[1].Offset, runningMean = l.Tensors[2].Offset, runningVar = l.Tensors[3].Offset;
        int state = l.StateOffset;
        GpuSlot x = g.X(i), y = g.Y(i), xhat = g.Workspace(l.ScratchOffset), stats = g.Workspace(l.ScratchOffset + BatchNormLayer.StatisticsAt(l.Input));

        g.OpenKernel(Name(l, "Statistics"), Head(l) + ", per-sample statistics: Σ x and Σ (x − mean)² per channel, one thread per (sample, channel).");
        g.OpenSampleLoop(c);
        k.Line("int xb = " + x.Base("s") + " + (r * " + S + ");");
        k.Line("float sum = 0f;");
        k.Open("for (int i = 0; i < " + S + "; i++)");
        k.Line("sum += " + x.At("xb", "i") + ";");
        k.Close();
        k.Line("float mean = sum / " + F(sp) + ";");
        k.Line("float squares = 0f;");
        k.Open("for (int i = 0; i < " + S + "; i++)");
        k.Line("float d = " + x.At("xb", "i") + " - mean;");
        k.Line("squares += d * d;");
        k.Close();
        k.Line("int sb = " + stats.Base("s") + ";");
        k.Line(stats.At("sb", "r") + " = sum;");
        k.Line(stats.At("sb", C + " + r") + " = squares;");
        k.Close();
        g.CloseKernel();

        g.OpenKernel(Name(l, "Gather"), Head(l) + ", the batch's mean and 1/σ per channel (Chan's formula over the samples, in order; ε = " + F(Settings(l).Epsilon) + "), and with a.UpdateStatistics (until a loss diverged) the running statistics (momentum " + F(Settings(l).Momentum) + ", unbiased variance); one thread per channel.");
        g.OpenGridLoop(C);
        k.Line("float count = a.Count * " + F(sp) + ";");
        k.Line("float sum = 0f;");
        k.Open("for (int s = 0; s < a.Count; s++)");
        k.Line("sum += " + stats.At(stats.Base("s"), "t") + ";");
        k.Close();
        k.Line("float mean = sum / count;");
        k.Line("float squares = 0f;");
        k.Open("for (int s = 0; s < a.Count; s++)");
        k.Line("int sb = " + stats.Base("s") + ";");
        k.Line("float d = (" + stats.At("sb", "t") + " / " + F(sp) + ") - mean;");
        k.Line("squares += " + stats.At("sb", C + " + t") + " + (" + F(sp) + " * d * d);");
        k.Close();
        k.Line("float variance = squares / count;");
        k.Line("v.State[" + I(state) + " + t] = mean;");
        k.Line("v.State[" + I(state + c) + " + t] = 1f / global::System.MathF.Sqrt(variance + " + F(Settings(l).Epsilon) + ");");
        k.Open("if (a.UpdateStatistics != 0 && v.Status[0] == 0)");
        k.Line("float unbiased = count > 1f ? squares / (count - 1f) : variance;");
        k.Line("v.Buffers[" + I(runningMean) + " + t] = ((1f - " + F(Settings(l).Momentum) + ") * v.Buffers[" + I(runningMean) + " + t]) + (" + F(Settings(l).Momentum) + " * mean);");
        k.Line("v.Buffers[" + I(runningVar) + " + t] = ((1f - " + F(Settings(l).Momentum) + ") * v.Buffers[" + I(runningVar) + " + t]) + (" + F(Settings(l).Momentum) + " * unbiased);");
        k.Close();
        k.Close();
        g.CloseKernel();

        g.OpenKernel(Name(l, "Forward"), Head(l) + ", training: x̂ = (x − μ)·(1/σ) with the batch's statistics, kept for backward; y = γ·x̂ + β. One thread per value.");
        g.OpenSampleLoop(c * sp);
        k.Line("int ch = r / " + S + ";");
        k.Line("float h = (" + x.At(x.Base("s"), "r") + " - v.State[" + I(state) + " + ch]) * v.State[" + I(state + c) + " + ch];");
        k.Line(xhat.At(xhat.Base("s"), "r") + " = h;");
        k.Line(y.At(y.Base("s"), "r") + " = (" + GpuNetwork.Param(gamma, "ch") + " * h) + " + GpuNetwork.Param(beta, "ch") + ";");
        k.Close();
        g.CloseKernel();

        g.OpenKernel(Name(l, "ForwardEval"), Head(l) + ", evaluation: normalized with the running statistics. One thread per value.");
        g.OpenSampleLoop(c * sp);
        k.Line("int ch = r / " + S + ";");
        k.Line("float invStd = 1f / global::System.MathF.Sqrt(v.Buffers[" + I(runningVar) + " + ch] + " + F(Settings(l).Epsilon) + ");");
        k.Line(y.At(y.Base("s"), "r") + " = (" + GpuNetwork.Param(gamma, "ch") + " * ((" + x.At(x.Base("s"), "r") + " - v.Buffers[" + I(runningMean) + " + ch]) * invStd)) + " + GpuNetwork.Param(beta, "ch") + ";");
        k.Close();
        g.CloseKernel();

        if (!l.RunsBackward)
        {
            return;
        }

        GpuSlot dy = g.Dy(i)!.Value;
        g.OpenKernel(Name(l, "Backward"), Head(l) + ", backward statistics: Σ dy and Σ dy·x̂ per sample and channel. One thread per (sample, channel).");
        g.OpenSampleLoop(c);
        k.Line("int db = " + dy.Base("s") + " + (r * " + S + "), hb = " + xhat.Base("s") + " + (r * " + S + ");");
        k.Line("float sumDy = 0f, sumDyXhat = 0f;");
        k.Open("for (int i = 0; i < " + S + "; i++)");
        k.Line("float d = " + dy.At("db", "i") + ";");
        k.Line("sumDy += d;");
        k.Line("sumDyXhat += d * " + xhat.At("hb", "i") + ";");
        k.Close();
        k.Line("int sb = " + stats.Base("s") + ";");
        k.Line(stats.At("sb", "r") + " = sumDy;");
        k.Line(stats.At("sb", C + " + r") + " = sumDyXhat;");
        k.Close();
        g.CloseKernel();

        g.OpenKernel(Name(l, "GatherBackward"), Head(l) + ", the batch means of dy and dy·x̂ per channel into the batch state, and dβ = Σ dy, dγ = Σ dy·x̂ (in sample order). One thread per channel.");
        g.OpenGridLoop(C);
        k.Line("float sumDy = 0f, sumDyXhat = 0f;");
        k.Open("for (int s = 0; s < a.Count; s++)");
        k.Line("int sb = " + stats.Base("s") + ";");
        k.Line("sumDy += " + stats.At("sb", "t") + ";");
        k.Line("sumDyXhat += " + stats.At("sb", C + " + t") + ";");
        k.Close();
        k.Line("float count = a.Count * " + F(sp) + ";");
        k.Line("v.State[" + I(state + (2 * c)) + " + t] = sumDy / count;");
        k.Line("v.State[" + I(state + (3 * c)) + " + t] = sumDyXhat / count;");
        k.Line(GpuNetwork.Grad(gamma, "t") + " = sumDyXhat;");
        k.Line(GpuNetwork.Grad(beta, "t") + " = sumDy;");
        k.Close();
        g.CloseKernel();

        if (!l.NeedsInputGradient)
        {
            return;
        }

        GpuSlot dx = g.Dx(i)!.Value;
        g.OpenKernel(Name(l, "BackwardInput"), Head(l) + ", input gradient: dx = γ·(1/σ)·(dy − mean(dy) − x̂·mean(dy·x̂)). One thread per value.");
        g.OpenSampleLoop(c * sp);
        k.Line("int ch = r / " + S + ";");
        k.Line("float factor = " + GpuNetwork.Param(gamma, "ch") + " * v.State[" + I(state + c) + " + ch];");
        k.Line(dx.At(dx.Base("s"), "r") + " = factor * (" + dy.At(dy.Base("s"), "r") + " - v.State[" + I(state + (2 * c)) + " + ch] - (" + xhat.At(xhat.Base("s"), "r") + " * v.State[" + I(state + (3 * c)) + " + ch]));");
        k.Close();
        g.CloseKernel();
    }

    public override void EmitForward(GpuNetwork g, int i, CodeWriter w)
    {
        LayerPlan l = g.Layer(i);
        w.Open("if (batch.Training != 0)");
        w.Line(g.Launch(Name(l, "Statistics")));
        w.Line(g.Launch(Name(l, "Gather")));
        w.Line(g.Launch(Name(l, "Forward")));
        w.Close();
        w.Line("else " + g.Launch(Name(l, "ForwardEval")));
    }

    public override void EmitBackward(GpuNetwork g, int i, CodeWriter w)
    {
        LayerPlan l = g.Layer(i);
        w.Line(g.Launch(Name(l, "Backward")));
        w.Line(g.Launch(Name(l, "GatherBackward")));
        if (!l.NeedsInputGradient)
        {
            return;
        }

        ReturnBelow(w, i);
        w.Line(g.Launch(Name(l, "BackwardInput")));
    }
}
