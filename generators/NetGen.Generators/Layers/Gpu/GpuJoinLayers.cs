using System.Linq;
using NetGen.Generators.Emit;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers.Gpu;

/// <summary>
/// Add on the GPU. Forward: one thread per output value, the operands summed left to right as on the CPU.
/// Backward: one thread per value, handing dy to each operand that needs it (writing or adding, last operand first,
/// as the plan orders them), so an operand named twice is still summed by one thread.
/// </summary>
internal sealed class GpuAddLayer : GpuLayerKind
{
    public override void EmitKernels(GpuNetwork g, int i)
    {
        LayerPlan l = g.Layer(i);
        CodeWriter k = g.Kernels;
        int n = l.Output.Size;
        GpuSlot y = g.Y(i);
        g.OpenKernel(Name(l, "Forward"), Head(l) + ": y = " + string.Join(" + ", l.Operands.Select(o => o.Name)) + ", one thread per value.");
        g.OpenSampleLoop(n);
        k.Line(y.At(y.Base("s"), "r") + " = " + string.Join(" + ", Enumerable.Range(0, l.Operands.Count).Select(j => g.Input(i, j).At(g.Input(i, j).Base("s"), "r"))) + ";");
        k.Close();
        g.CloseKernel();
        if (!l.RunsBackward)
        {
            return;
        }

        GpuSlot dy = g.Dy(i)!.Value;
        g.OpenKernel(Name(l, "Backward"), Head(l) + ", backward: each operand's gradient gets dy, one thread per value.");
        g.OpenSampleLoop(n);
        k.Line("float d = " + dy.At(dy.Base("s"), "r") + ";");
        foreach (int j in AddLayer.GradientOrder(l))
        {
            GpuSlot dx = g.InputGradient(i, j)!.Value;
            k.Line(dx.At(dx.Base("s"), "r") + (l.Operands[j].Accumulates ? " += d;" : " = d;"));
        }

        k.Close();
        g.CloseKernel();
    }

    public override void EmitForward(GpuNetwork g, int i, CodeWriter w) => LaunchForward(g, i, w);

    public override void EmitBackward(GpuNetwork g, int i, CodeWriter w) => LaunchInputGradient(g, i, w);
}

/// <summary>
/// Concat on the GPU. Forward: one thread per output value, copying from the operand whose range holds it (none for
/// operands the plan wrote in place; no kernel when all are).
/// Backward: one thread per position of the largest operand, handing each operand that needs a gradient its
/// range of dy (last operand first), so an operand named twice is still summed by one thread.
/// </summary>
internal sealed class GpuConcatLayer : GpuLayerKind
{
    public override void EmitKernels(GpuNetwork g, int i)
    {
        LayerPlan l = g.Layer(i);
        CodeWriter k = g.Kernels;
        GpuSlot y = g.Y(i);
        if (!ConcatLayer.AllInPlace(l))
        {
            g.OpenKernel(Name(l, "Forward"), Head(l) + ": the operands one after the other, one thread per output value.");
            g.OpenSampleLoop(l.Output.Size);
            for (int j = 0; j < l.Operands.Count; j++)
            {
                int start = ConcatLayer.Start(l, j), end = start + l.Operands[j].Shape.Size;
                GpuSlot x = g.Input(i, j);
                string condition = j == 0 ? "if (r < " + I(end) + ")" : j == l.Operands.Count - 1 ? "else" : "else if (r < " + I(end) + ")";
                k.Open(condition);
                k.Line(ConcatLayer.InPlace(l, j) ? "// " + l.Operands[j].Name + " was written in place"
                    : y.At(y.Base("s"), "r") + " = " + x.At(x.Base("s"), start == 0 ? "r" : "(r - " + I(start) + ")") + ";");
                k.Close();
            }

            k.Close();
            g.CloseKernel();
        }

        if (!l.RunsBackward)
        {
            return;
        }

        GpuSlot dy = g.Dy(i)!.Value;
        int largest = l.Operands.Max(o => o.Shape.Size);
        g.OpenKernel(Name(l, "Backward"), Head(l) + ", backward: each operand's gradient gets its range of dy, one thread per position.");
        g.OpenSampleLoop(largest);
        foreach (int j in AddLayer.GradientOrder(l))
        {
            int start = ConcatLayer.Start(l, j), size = l.Operands[j].Shape.Size;
            GpuSlot dx = g.InputGradient(i, j)!.Value;
            string store = dx.At(dx.Base("s"), "r") + (l.Operands[j].Accumulates ? " += " : " = ") + dy.At(dy.Base("s"), start == 0 ? "r" : "(r + " + I(start) + ")") + ";";
            k.Line(size == largest ? store : "if (r < " + I(size) + ") " + store);
        }

        k.Close();
        g.CloseKernel();
    }

    public override void EmitForward(GpuNetwork g, int i, CodeWriter w)
    {
        if (ConcatLayer.AllInPlace(g.Layer(i)))
        {
            w.Line("// " + g.Layer(i).Name + ": every operand was written in place");
            return;
        }

        LaunchForward(g, i, w);
    }

    public override void EmitBackward(GpuNetwork g, int i, CodeWriter w) => LaunchInputGradient(g, i, w);
}
