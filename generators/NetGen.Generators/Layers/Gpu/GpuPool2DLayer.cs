using NetGen.Generators.Emit;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers.Gpu;

/// <summary>
/// Max and average pooling on the GPU. Forward: one thread per output value, the CPU's window loops. Backward:
/// one thread per input value, summing over the windows that cover it (for max pooling, the windows whose first
/// maximum it is, found as the CPU finds it), so overlapping windows need no atomics and the result does not
/// depend on thread order.
/// </summary>
internal sealed class GpuPool2DLayer(bool isMax) : GpuLayerKind
{
    public override void EmitKernels(GpuNetwork g, int i)
    {
        LayerPlan l = g.Layer(i);
        CodeWriter k = g.Kernels;
        Shape ins = l.Input, outs = l.Output;
        var options = (Pool2DOptions)l.Options;
        int size = options.Size, st = options.Stride;
        GpuSlot x = g.X(i), y = g.Y(i);
        string scale = F(1f / (size * size));

        g.OpenKernel(Name(l, "Forward"), Head(l) + ", " + (isMax ? "max" : "mean") + " over " + I(size) + "×" + I(size) + " windows, stride " + I(st) + ": one thread per output value.");
        g.OpenSampleLoop(outs.Size);
        k.Line("int c = r / " + I(outs.H * outs.W) + ";");
        k.Line("int oy = (r / " + I(outs.W) + ") % " + I(outs.H) + ";");
        k.Line("int ox = r % " + I(outs.W) + ";");
        k.Line("int xb = " + x.Base("s") + " + (c * " + I(ins.H * ins.W) + ");");
        k.Line(isMax ? "float best = float.NegativeInfinity;" : "float sum = 0f;");
        OpenWindow(k, size, st, ins.W);
        k.Line(isMax ? "float value = " + x.At("xb", "index") + ";" : "sum += " + x.At("xb", "index") + ";");
        if (isMax)
        {
            k.Line("if (value > best) best = value;");
        }

        k.Close();
        k.Close();
        k.Line(y.At(y.Base("s"), "r") + " = " + (isMax ? "best;" : "sum * " + scale + ";"));
        k.Close();
        g.CloseKernel();

        if (!l.RunsBackward)
        {
            return;
        }

        GpuSlot dy = g.Dy(i)!.Value, dx = g.Dx(i)!.Value;
        g.OpenKernel(Name(l, "Backward"), Head(l) + ", backward: " + (isMax ? "each input value gets dy of the windows whose first maximum it is" : "each input value gets dy / " + I(size * size) + " of every window that covers it") + "; one thread per input value.");
        g.OpenSampleLoop(ins.Size);
        k.Line("int c = r / " + I(ins.H * ins.W) + ";");
        k.Line("int iy = (r / " + I(ins.W) + ") % " + I(ins.H) + ";");
        k.Line("int ix = r % " + I(ins.W) + ";");
        k.Line("int xb = " + x.Base("s") + " + (c * " + I(ins.H * ins.W) + ");");
        k.Line("int dyb = " + dy.Base("s") + " + (c * " + I(outs.H * outs.W) + ");");
        k.Line("int self = (iy * " + I(ins.W) + ") + ix;");
        k.Line("float sum = 0f;");
        // Windows oy·stride ≤ iy < oy·stride + size: oy from ⌈(iy − size + 1) / stride⌉ (at least 0) to ⌊iy / stride⌋ (below OH).
        k.Line("int ay = iy - " + I(size - 1) + ", ax = ix - " + I(size - 1) + ";");
        k.Line("int oy0 = ay > 0 ? (ay + " + I(st - 1) + ") / " + I(st) + " : 0;");
        k.Line("int ox0 = ax > 0 ? (ax + " + I(st - 1) + ") / " + I(st) + " : 0;");
        k.Line("int oy1 = iy / " + I(st) + " < " + I(outs.H - 1) + " ? iy / " + I(st) + " : " + I(outs.H - 1) + ";");
        k.Line("int ox1 = ix / " + I(st) + " < " + I(outs.W - 1) + " ? ix / " + I(st) + " : " + I(outs.W - 1) + ";");
        k.Open("for (int oy = oy0; oy <= oy1; oy++)");
        k.Open("for (int ox = ox0; ox <= ox1; ox++)");
        if (isMax)
        {
            k.Line("float best = float.NegativeInfinity;");
            k.Line("int at = -1;");
            OpenWindow(k, size, st, ins.W);
            k.Line("float value = " + x.At("xb", "index") + ";");
            k.Open("if (value > best)");
            k.Line("best = value;");
            k.Line("at = index;");
            k.Close();
            k.Close();
            k.Close();
            k.Line("if (at == self) sum += " + dy.At("dyb", "(oy * " + I(outs.W) + ") + ox") + ";");
        }
        else
        {
            k.Line("sum += " + dy.At("dyb", "(oy * " + I(outs.W) + ") + ox") + " * " + scale + ";");
        }

        k.Close();
        k.Close();
        k.Line(dx.At(dx.Base("s"), "r") + " = sum;");
        k.Close();
        g.CloseKernel();
    }

    /// <summary>Opens the ky / kx loops of window (oy, ox) and declares the input index in the channel's plane.</summary>
    private static void OpenWindow(CodeWriter k, int size, int stride, int width)
    {
        k.Open("for (int ky = 0; ky < " + I(size) + "; ky++)");
        k.Open("for (int kx = 0; kx < " + I(size) + "; kx++)");
        k.Line("int index = (((oy * " + I(stride) + ") + ky) * " + I(width) + ") + (ox * " + I(stride) + ") + kx;");
    }

    public override void EmitForward(GpuNetwork g, int i, CodeWriter w) => LaunchForward(g, i, w);

    public override void EmitBackward(GpuNetwork g, int i, CodeWriter w) => LaunchInputGradient(g, i, w);
}
