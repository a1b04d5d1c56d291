using System;
using System.Collections.Generic;
using NetGen.Generators.Model;

namespace NetGen.Generators.Emit;

/// <summary>
/// Where a per-sample tensor lives on the device: element <c>i</c> of sample <c>s</c> is
/// <c>v.View[s * Stride + Offset + i]</c>. Workspace slots use the CPU plan's offsets, so a batch of n samples on
/// the device is n CPU workspaces side by side.
/// </summary>
internal readonly struct GpuSlot(string view, int stride, int offset)
{
    public string View { get; } = view;

    public int Stride { get; } = stride;

    public int Offset { get; } = offset;

    /// <summary>The index of sample <paramref name="sample"/>'s element 0: <c>s * 1234 + 56</c>.</summary>
    public string Base(string sample) => sample + " * " + CodeWriter.Int(Stride) + (Offset == 0 ? string.Empty : " + " + CodeWriter.Int(Offset));

    /// <summary><c>v.Workspace[xb + (i)]</c> for a base variable and an index expression.</summary>
    public string At(string baseVariable, string index) => "v." + View + "[" + baseVariable + " + " + index + "]";
}

/// <summary>
/// The state of one network's GPU emission: the plan, the kernel methods written so far, and the launcher
/// fields the kernel set needs (one per kernel, loaded on first use).
/// </summary>
internal sealed class GpuNetwork
{
    public const string Views = "global::NetGen.Gpu.GpuViews";
    public const string Step = "global::NetGen.Gpu.GpuStep";
    public const string Update = "global::NetGen.Gpu.GpuUpdate";
    public const string KernelsClass = "NetGenGpuKernels";
    public const string Grid = "global::ILGPU.Grid";
    public const string Group = "global::ILGPU.Group";

    private readonly List<string> _fields = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public GpuNetwork(NetworkPlan plan)
    {
        Plan = plan;
    }

    public NetworkPlan Plan { get; }

    /// <summary>The kernel methods, written at the indentation of the kernels class's members.</summary>
    public CodeWriter Kernels { get; } = new();

    /// <summary>Declarations of the kernel set's launcher fields.</summary>
    public IReadOnlyList<string> Fields => _fields;

    public int WorkspaceSize => Plan.WorkspaceSize;

    public LayerPlan Layer(int i) => Plan.Layers[i];

    /// <summary>Layer <paramref name="i"/>'s (first) input: the batch's inputs for the first layer, else its operand's output slot.</summary>
    public GpuSlot X(int i) => Input(i, 0);

    /// <summary>Operand <paramref name="j"/> of layer <paramref name="i"/>: the batch's inputs, or the producing layer's output slot.</summary>
    public GpuSlot Input(int i, int j) => Plan.Layers[i].Operands[j] is { Producer: < 0 }
        ? new GpuSlot("Input", Plan.Input.Size, 0)
        : new GpuSlot("Workspace", Plan.WorkspaceSize, Plan.Layers[i].Operands[j].Offset);

    /// <summary>Where layer <paramref name="i"/>'s backward writes operand <paramref name="j"/>'s gradient: a staging slot, the value's gradient slot, or none.</summary>
    public GpuSlot? InputGradient(int i, int j) => Plan.Layers[i].Operands[j] switch
    {
        { NeedsGradient: false } => null,
        { IsStaged: true } o => new GpuSlot("Workspace", Plan.WorkspaceSize, o.StagingOffset),
        var o => Dy(o.Producer),
    };

    public GpuSlot Y(int i) => new("Workspace", Plan.WorkspaceSize, Plan.Layers[i].OutputOffset);

    /// <summary>d loss / d output of layer <paramref name="i"/>: the logits gradient, a workspace slot, or none.</summary>
    public GpuSlot? Dy(int i) => Plan.Layers[i].Delta switch
    {
        { IsLogitsGradient: true } => new GpuSlot("LogitsGradient", Plan.Output.Size, 0),
        { InWorkspace: true } delta => new GpuSlot("Workspace", Plan.WorkspaceSize, delta.Offset),
        _ => null,
    };

    /// <summary>d loss / d input of layer <paramref name="i"/>: where its backward writes its first operand's gradient.</summary>
    public GpuSlot? Dx(int i) => InputGradient(i, 0);

    public GpuSlot Workspace(int offset) => new("Workspace", Plan.WorkspaceSize, offset);

    /// <summary><c>v.Parameters[offset + (index)]</c>.</summary>
    public static string Param(int offset, string index) => "v.Parameters[" + CodeWriter.Int(offset) + " + " + index + "]";

    /// <summary><c>v.Gradients[offset + (index)]</c>.</summary>
    public static string Grad(int offset, string index) => "v.Gradients[" + CodeWriter.Int(offset) + " + " + index + "]";

    /// <summary>Opens a kernel method: a summary and <c>public static void Name(GpuViews v, TArg a)</c>.</summary>
    public void OpenKernel(string name, string summary, string argument = Step)
    {
        if (!_names.Add(name))
        {
            throw new InvalidOperationException("Kernel " + name + " emitted twice.");
        }

        Kernels.Line();
        Kernels.Line("/// <summary>" + summary + "</summary>");
        Kernels.Open("public static void " + name + "(" + Views + " v, " + argument + " a)");
    }

    public void CloseKernel() => Kernels.Close();

    /// <summary>
    /// Opens a grid-stride loop over <paramref name="total"/> work items (<c>t</c>), so one launch covers a batch of
    /// any size with any grid.
    /// </summary>
    public void OpenGridLoop(string total)
    {
        Kernels.Line("int total = " + total + ";");
        Kernels.Line("int stride = " + Grid + ".DimX * " + Group + ".DimX;");
        Kernels.Open("for (int t = " + Grid + ".GlobalIndex.X; t < total; t += stride)");
    }

    /// <summary>Opens a grid-stride loop over the batch's samples × <paramref name="perSample"/> items; declares <c>s</c> and <c>r</c>.</summary>
    public void OpenSampleLoop(int perSample)
    {
        OpenGridLoop("a.Count * " + CodeWriter.Int(perSample));
        Kernels.Line("int s = t / " + CodeWriter.Int(perSample) + ";");
        Kernels.Line("int r = t - (s * " + CodeWriter.Int(perSample) + ");");
    }

    /// <summary>The statement that launches a kernel from the kernel set, loading it on first use.</summary>
    public string Launch(string kernel, string launch = "Grid", string argument = "batch", string argumentType = Step)
    {
        string field = "_" + char.ToLowerInvariant(kernel[0]) + kernel.Substring(1);
        string declaration = "private global::System.Action<global::ILGPU.KernelConfig, " + Views + ", " + argumentType + ">? " + field + ";";
        if (!_fields.Contains(declaration))
        {
            _fields.Add(declaration);
        }

        return "Launch(ref " + field + ", " + KernelsClass + "." + kernel + ", in views, in " + argument + ", global::NetGen.Gpu.GpuLaunch." + launch + ");";
    }

    public static string I(int value) => CodeWriter.Int(value);

    public static string F(float value) => CodeWriter.Float(value);
}
