using NetGen.Generators.Layers.Gpu;
using NetGen.Generators.Model;

namespace NetGen.Generators.Emit;

/// <summary>
/// Writes a network's ILGPU part: a second part of its partial class that implements <c>NetGen.Gpu.IGpuNetwork</c>
/// with a kernel set (the launches of the forward pass, the loss, the backward pass and the optimizer updates, in
/// order, each kernel loaded on first use) and the kernels themselves, one static method per layer and pass plus
/// the data, loss, tally, optimizer and clipping kernels, with every shape and offset a literal. The generator
/// emits it only when the compilation references NetGen.Gpu, so networks in projects without ILGPU (and Native
/// AOT inference binaries) never see an ILGPU type.
/// </summary>
internal static class GpuEmitter
{
    /// <summary>The type whose presence in the compilation turns GPU emission on.</summary>
    public const string MarkerTypeName = "NetGen.Gpu.IGpuNetwork";

    /// <summary>The members the GPU part adds to a network (its kernel set's factory and types): no layer may take these names.</summary>
    public static readonly string[] GeneratedMembers = { "CreateKernels", "NetGenGpuKernelSet", "NetGenGpuKernels" };

    private const string GeneratedCode = "[global::System.CodeDom.Compiler.GeneratedCode(\"NetGen.Generators\", \"1.0.0\")]";

    public static string Emit(NetworkPlan plan)
    {
        var g = new GpuNetwork(plan);
        var forward = new CodeWriter();
        var backward = new CodeWriter();
        for (int i = 0; i < plan.Layers.Count; i++)
        {
            LayerPlan l = plan.Layers[i];
            GpuLayerKind kind = l.Kind.GpuKind;
            kind.EmitKernels(g, i);
            forward.Line("// " + l.Name);
            kind.EmitForward(g, i, forward);
        }

        if (plan.EndsWithSoftmax || plan.EndsWithSigmoid)
        {
            backward.Line("// " + plan.Layers[plan.Layers.Count - 1].Name + ": the trailing " + (plan.EndsWithSoftmax ? "softmax" : "sigmoid") + " is fused into the loss; backward starts at the logits.");
        }

        for (int i = plan.LogitsLayer; i >= 0; i--)
        {
            LayerPlan l = plan.Layers[i];
            if (!l.RunsBackward)
            {
                continue;
            }

            backward.Line("// " + l.Name);
            l.Kind.GpuKind.EmitBackward(g, i, backward);
            GpuCommonKernels.EmitStagedSums(g, i, backward);
        }

        GpuCommonKernels.Emit(g);

        // The kernel set's members first: writing their launches registers the launcher fields.
        var m = new CodeWriter();
        m.Line();
        m.Line("public NetGenGpuKernelSet(global::NetGen.Gpu.GpuDevice device) : base(device) { }");
        m.Line();
        m.Line("/// <inheritdoc/>");
        m.Line("public override int OutputOffset => " + CodeWriter.Int(plan.Layers[plan.Layers.Count - 1].OutputOffset) + ";");
        m.Line();
        m.Line("/// <inheritdoc/>");
        m.Open("public override void Gather(in " + GpuNetwork.Views + " views, in " + GpuNetwork.Step + " batch)");
        m.Line(g.Launch("Gather"));
        m.Close();
        m.Line();
        m.Line("/// <inheritdoc/>");
        m.Open("public override void Forward(in " + GpuNetwork.Views + " views, in " + GpuNetwork.Step + " batch)");
        Append(m, forward);
        m.Close();
        m.Line();
        m.Line("/// <inheritdoc/>");
        m.Open("public override void Loss(in " + GpuNetwork.Views + " views, in " + GpuNetwork.Step + " batch, global::NetGen.Gpu.GpuLoss loss)");
        m.Open("switch (loss)");
        m.Line("case global::NetGen.Gpu.GpuLoss.BinaryCrossEntropyWithLogits:");
        m.Line("    " + g.Launch("LossBinaryCrossEntropy"));
        m.Line("    break;");
        m.Line("case global::NetGen.Gpu.GpuLoss.MeanSquaredError:");
        m.Line("    " + g.Launch("LossMeanSquaredError"));
        m.Line("    break;");
        m.Line("default:");
        m.Line("    " + g.Launch("LossSoftmaxCrossEntropy"));
        m.Line("    break;");
        m.Close();
        m.Line(g.Launch("Tally", "OneThread"));
        m.Close();
        m.Line();
        m.Line("/// <inheritdoc/>");
        m.Open("public override void Backward(in " + GpuNetwork.Views + " views, in " + GpuNetwork.Step + " batch, int trainableFrom)");
        Append(m, backward);
        m.Close();
        m.Line();
        m.Line("/// <inheritdoc/>");
        m.Line("public override void Sgd(in " + GpuNetwork.Views + " views, in " + GpuNetwork.Update + " update) => " + g.Launch("Sgd", "Grid", "update", GpuNetwork.Update));
        m.Line();
        m.Line("/// <inheritdoc/>");
        m.Line("public override void Adam(in " + GpuNetwork.Views + " views, in " + GpuNetwork.Update + " update) => " + g.Launch("Adam", "Grid", "update", GpuNetwork.Update));
        m.Line();
        m.Line("/// <inheritdoc/>");
        m.Line("public override void SumOfSquares(in " + GpuNetwork.Views + " views, in " + GpuNetwork.Update + " update) => " + g.Launch("SumOfSquares", "Grid", "update", GpuNetwork.Update));
        m.Line();
        m.Line("/// <inheritdoc/>");
        m.Line("public override void ClipFactor(in " + GpuNetwork.Views + " views, in " + GpuNetwork.Update + " update) => " + g.Launch("ClipFactor", "OneThread", "update", GpuNetwork.Update));
        m.Line();
        m.Line("/// <inheritdoc/>");
        m.Line("public override void ScaleGradients(in " + GpuNetwork.Views + " views, in " + GpuNetwork.Update + " update) => " + g.Launch("ScaleGradients", "Grid", "update", GpuNetwork.Update));

        var w = new CodeWriter();
        w.Line("// <auto-generated/>");
        w.Line("// NetGen network " + plan.ClassName + ": its ILGPU kernels (NetGen.Gpu is referenced).");
        w.Line("#nullable enable");
        w.Line("#pragma warning disable");
        w.Line();
        if (plan.Namespace is not null)
        {
            w.Line("namespace " + plan.Namespace + ";");
            w.Line();
        }

        w.Line("/// <summary>Generated by NetGen: the ILGPU kernels of <see cref=\"" + plan.ClassName + "\"/>.</summary>");
        w.Open("partial class " + plan.ClassName + " : global::NetGen.Gpu.IGpuNetwork");
        w.Line("/// <inheritdoc/>");
        w.Line(GeneratedCode);
        w.Line("public global::NetGen.Gpu.GpuKernelSet CreateKernels(global::NetGen.Gpu.GpuDevice device) => new NetGenGpuKernelSet(device);");
        w.Line();
        w.Line("/// <summary>The kernels' launches in order; each kernel loads on first use.</summary>");
        w.Line(GeneratedCode);
        w.Open("private sealed class NetGenGpuKernelSet : global::NetGen.Gpu.GpuKernelSet");
        foreach (string field in g.Fields)
        {
            w.Line(field);
        }

        w.Line();
        Append(w, m);
        w.Close();
        w.Line();
        w.Line("/// <summary>The kernels: static methods over a whole batch, every shape and offset a literal.</summary>");
        w.Line(GeneratedCode);
        w.Open("private static class " + GpuNetwork.KernelsClass);
        Append(w, g.Kernels);
        w.Close();
        w.Close();
        return w.ToString();
    }

    /// <summary>Appends what <paramref name="body"/> holds, line by line, at <paramref name="w"/>'s indentation.</summary>
    private static void Append(CodeWriter w, CodeWriter body)
    {
        string text = body.ToString();
        if (text.Length == 0)
        {
            return;
        }

        string[] lines = text.TrimEnd('\n').Split('\n');
        // A leading empty line (kernels start with one) is dropped.
        int first = lines.Length > 0 && lines[0].Length == 0 ? 1 : 0;
        for (int i = first; i < lines.Length; i++)
        {
            w.Line(lines[i]);
        }
    }

    /// <summary>A hint name for the GPU part: <c>Namespace.Class.Gpu.g.cs</c>.</summary>
    public static string HintName(NetworkPlan plan) =>
        ((plan.Namespace is null ? string.Empty : plan.Namespace + ".") + plan.ClassName).Replace("@", string.Empty) + ".Gpu.g.cs";
}
