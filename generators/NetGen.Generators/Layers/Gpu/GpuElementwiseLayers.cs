using NetGen.Generators.Emit;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers.Gpu;

/// <summary>
/// An element-wise activation on the GPU: one thread per value, the kind's own scalar formulas (the derivative from
/// the output y, or from the input x where the kind says so). On CUDA, <c>MathF.Exp</c> and <c>MathF.Tanh</c>
/// compile to the fast approximate instructions.
/// </summary>
internal sealed class GpuActivationLayer(ActivationLayer activation) : GpuLayerKind
{
    public override void EmitKernels(GpuNetwork g, int i)
    {
        LayerPlan l = g.Layer(i);
        CodeWriter k = g.Kernels;
        GpuSlot x = g.X(i), y = g.Y(i);
        g.OpenKernel(Name(l, "Forward"), Head(l) + ", element-wise, one thread per value.");
        g.OpenSampleLoop(l.Input.Size);
        k.Line("float value = " + x.At(x.Base("s"), "r") + ";");
        k.Line(y.At(y.Base("s"), "r") + " = " + activation.Scalar(l.Options, "value") + ";");
        k.Close();
        g.CloseKernel();

        if (!l.RunsBackward)
        {
            return;
        }

        GpuSlot dy = g.Dy(i)!.Value, dx = g.Dx(i)!.Value;
        bool fromInput = activation.DerivativeFromInput;
        GpuSlot from = fromInput ? x : y;
        g.OpenKernel(Name(l, "Backward"), Head(l) + ", backward from the " + (fromInput ? "input x" : "output y") + ", one thread per value.");
        g.OpenSampleLoop(l.Input.Size);
        string v = fromInput ? "in_" : "out_";
        k.Line("float " + v + " = " + from.At(from.Base("s"), "r") + ";");
        k.Line("float grad = " + dy.At(dy.Base("s"), "r") + ";");
        k.Line(dx.At(dx.Base("s"), "r") + " = " + activation.ScalarDerivative(l.Options, "grad", v) + ";");
        k.Close();
        g.CloseKernel();
    }

    public override void EmitForward(GpuNetwork g, int i, CodeWriter w) => LaunchForward(g, i, w);

    public override void EmitBackward(GpuNetwork g, int i, CodeWriter w) => LaunchInputGradient(g, i, w);
}

/// <summary>
/// Inverted dropout on the GPU. The mask of each value comes from a hash of the step's seed, the sample's
/// data-set index, the layer and the value's position (a counter-based generator, so every thread draws its own
/// value independently): the same rate and scaling as on the CPU, but not the CPU's masks, whose generator
/// is sequential per sample.
/// </summary>
internal sealed class GpuDropoutLayer : GpuLayerKind
{
    private static float Rate(LayerPlan l) => ((DropoutOptions)l.Options).Rate;

    public override void EmitKernels(GpuNetwork g, int i)
    {
        LayerPlan l = g.Layer(i);
        CodeWriter k = g.Kernels;
        GpuSlot x = g.X(i), y = g.Y(i), mask = g.Workspace(l.MaskOffset);
        g.OpenKernel(Name(l, "Forward"), Head(l) + ", rate " + F(Rate(l)) + ": y = x ⊙ mask in training (mask from a hash of seed, sample, layer and position), y = x otherwise.");
        g.OpenSampleLoop(l.Input.Size);
        k.Line("float keep = 1f;");
        k.Open("if (a.Training != 0)");
        k.Line("ulong z = a.Seed ^ ((ulong)(uint)v.Indices[s] * 0x9E3779B97F4A7C15UL) ^ ((ulong)(uint)(r + 1) * 0xC2B2AE3D27D4EB4FUL) ^ " + I(i + 1) + "UL;");
        k.Line("z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;");
        k.Line("z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;");
        k.Line("z ^= z >> 31;");
        k.Line("keep = ((z >> 40) * (1.0f / 16777216f)) < " + F(Rate(l)) + " ? 0f : " + F(1f / (1f - Rate(l))) + ";");
        k.Close();
        k.Line(mask.At(mask.Base("s"), "r") + " = keep;");
        k.Line(y.At(y.Base("s"), "r") + " = " + x.At(x.Base("s"), "r") + " * keep;");
        k.Close();
        g.CloseKernel();

        if (!l.RunsBackward)
        {
            return;
        }

        GpuSlot dy = g.Dy(i)!.Value, dx = g.Dx(i)!.Value;
        g.OpenKernel(Name(l, "Backward"), Head(l) + ", backward: dx = dy ⊙ mask.");
        g.OpenSampleLoop(l.Input.Size);
        k.Line(dx.At(dx.Base("s"), "r") + " = " + dy.At(dy.Base("s"), "r") + " * " + mask.At(mask.Base("s"), "r") + ";");
        k.Close();
        g.CloseKernel();
    }

    public override void EmitForward(GpuNetwork g, int i, CodeWriter w) => LaunchForward(g, i, w);

    public override void EmitBackward(GpuNetwork g, int i, CodeWriter w) => LaunchInputGradient(g, i, w);
}

/// <summary>Flatten on the GPU: an alias of its input's slot, like on the CPU; only a first-layer Flatten copies the input into its own slot.</summary>
internal sealed class GpuFlattenLayer : GpuLayerKind
{
    public override void EmitKernels(GpuNetwork g, int i)
    {
        if (g.Layer(i).AliasesInput)
        {
            return;
        }

        LayerPlan l = g.Layer(i);
        GpuSlot x = g.X(i), y = g.Y(i);
        g.OpenKernel(Name(l, "Forward"), Head(l) + ": the first layer copies the input into its slot.");
        g.OpenSampleLoop(l.Input.Size);
        g.Kernels.Line(y.At(y.Base("s"), "r") + " = " + x.At(x.Base("s"), "r") + ";");
        g.Kernels.Close();
        g.CloseKernel();
    }

    public override void EmitForward(GpuNetwork g, int i, CodeWriter w)
    {
        LayerPlan l = g.Layer(i);
        w.Line(!l.AliasesInput ? g.Launch(Name(l, "Forward")) : "// " + l.Name + ": Flatten " + l.Input + " → " + l.Output + " (same memory, no code)");
    }
}

/// <summary>
/// Softmax on the GPU: one thread per sample, max subtracted, as on the CPU. A trailing softmax runs forward
/// (Predict's output) but belongs to the loss in training; elsewhere backward is dx = y ⊙ (dy − ⟨dy, y⟩).
/// </summary>
internal sealed class GpuSoftmaxLayer : GpuLayerKind
{
    public override void EmitKernels(GpuNetwork g, int i)
    {
        LayerPlan l = g.Layer(i);
        CodeWriter k = g.Kernels;
        string n = I(l.Input.Size);
        GpuSlot x = g.X(i), y = g.Y(i);
        g.OpenKernel(Name(l, "Forward"), Head(l) + ": y = exp(x − max x) / Σ exp(x − max x), one thread per sample.");
        g.OpenGridLoop("a.Count");
        k.Line("int xb = " + x.Base("t") + ", yb = " + y.Base("t") + ";");
        k.Line("float max = float.NegativeInfinity;");
        k.Open("for (int i = 0; i < " + n + "; i++)");
        k.Line("max = global::System.MathF.Max(max, " + x.At("xb", "i") + ");");
        k.Close();
        k.Line("float sum = 0f;");
        k.Open("for (int i = 0; i < " + n + "; i++)");
        k.Line("float e = global::System.MathF.Exp(" + x.At("xb", "i") + " - max);");
        k.Line(y.At("yb", "i") + " = e;");
        k.Line("sum += e;");
        k.Close();
        k.Line("float scale = 1f / sum;");
        k.Open("for (int i = 0; i < " + n + "; i++)");
        k.Line(y.At("yb", "i") + " *= scale;");
        k.Close();
        k.Close();
        g.CloseKernel();

        if (!l.RunsBackward)
        {
            return;
        }

        GpuSlot dy = g.Dy(i)!.Value, dx = g.Dx(i)!.Value;
        g.OpenKernel(Name(l, "Backward"), Head(l) + ", backward: dx = y ⊙ (dy − ⟨dy, y⟩), one thread per sample.");
        g.OpenGridLoop("a.Count");
        k.Line("int yb = " + y.Base("t") + ", dyb = " + dy.Base("t") + ", dxb = " + dx.Base("t") + ";");
        k.Line("float dot = 0f;");
        k.Open("for (int i = 0; i < " + n + "; i++)");
        k.Line("dot += " + dy.At("dyb", "i") + " * " + y.At("yb", "i") + ";");
        k.Close();
        k.Open("for (int i = 0; i < " + n + "; i++)");
        k.Line(dx.At("dxb", "i") + " = " + y.At("yb", "i") + " * (" + dy.At("dyb", "i") + " - dot);");
        k.Close();
        k.Close();
        g.CloseKernel();
    }

    public override void EmitForward(GpuNetwork g, int i, CodeWriter w) => LaunchForward(g, i, w);

    public override void EmitBackward(GpuNetwork g, int i, CodeWriter w) => LaunchInputGradient(g, i, w);
}
