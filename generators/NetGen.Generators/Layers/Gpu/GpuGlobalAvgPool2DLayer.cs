using NetGen.Generators.Emit;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers.Gpu;

/// <summary>
/// Global average pooling on the GPU. Forward: one thread per (sample, channel), the plane summed in the CPU's
/// order. Backward: one thread per input value, dy[c] / (H·W).
/// </summary>
internal sealed class GpuGlobalAvgPool2DLayer : GpuLayerKind
{
    public override void EmitKernels(GpuNetwork g, int i)
    {
        LayerPlan l = g.Layer(i);
        CodeWriter k = g.Kernels;
        int plane = l.Input.H * l.Input.W;
        string scale = F(1f / plane);
        GpuSlot x = g.X(i), y = g.Y(i);

        g.OpenKernel(Name(l, "Forward"), Head(l) + ": y[c] = Σ x[c, ·, ·] / " + I(plane) + ", one thread per output value.");
        g.OpenSampleLoop(l.Output.Size);
        k.Line("int xb = " + x.Base("s") + " + (r * " + I(plane) + ");");
        k.Line("float sum = 0f;");
        k.Open("for (int p = 0; p < " + I(plane) + "; p++)");
        k.Line("sum += " + x.At("xb", "p") + ";");
        k.Close();
        k.Line(y.At(y.Base("s"), "r") + " = sum * " + scale + ";");
        k.Close();
        g.CloseKernel();

        if (!l.RunsBackward)
        {
            return;
        }

        GpuSlot dy = g.Dy(i)!.Value, dx = g.Dx(i)!.Value;
        g.OpenKernel(Name(l, "Backward"), Head(l) + ", backward: dx[c, ·, ·] = dy[c] / " + I(plane) + ", one thread per input value.");
        g.OpenSampleLoop(l.Input.Size);
        k.Line(dx.At(dx.Base("s"), "r") + " = " + dy.At(dy.Base("s"), "r / " + I(plane)) + " * " + scale + ";");
        k.Close();
        g.CloseKernel();
    }

    public override void EmitForward(GpuNetwork g, int i, CodeWriter w) => LaunchForward(g, i, w);

    public override void EmitBackward(GpuNetwork g, int i, CodeWriter w) => LaunchInputGradient(g, i, w);
}
