using NetGen.Generators.Emit;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers.Gpu;

/// <summary>
/// One layer kind's ILGPU code: its kernels (static methods over a whole batch, every shape a literal, grid-stride
/// loops so one launch covers any batch size) and the launches the network's kernel set makes in its forward and
/// backward pass. The kernels compute what the kind's scalar CPU kernels compute, sample by sample in the same
/// workspace slots, so the CPU's scalar path is their oracle. One subclass per kind, beside the CPU kinds.
/// </summary>
internal abstract class GpuLayerKind
{
    /// <summary>Writes the layer's kernels into <see cref="GpuNetwork.Kernels"/> (backward ones only when the layer runs backward).</summary>
    public abstract void EmitKernels(GpuNetwork g, int i);

    /// <summary>Writes the launches of the layer's forward pass (training and evaluation; <c>batch.Training</c> tells them apart).</summary>
    public abstract void EmitForward(GpuNetwork g, int i, CodeWriter w);

    /// <summary>
    /// Writes the launches of the layer's backward pass, for a layer that runs backward: its parameter gradients,
    /// then, when a layer below learns, <c>if (trainableFrom &gt;= i) return;</c> and its input gradient.
    /// </summary>
    public virtual void EmitBackward(GpuNetwork g, int i, CodeWriter w)
    {
    }

    /// <summary>The forward pass of a kind with one forward kernel: its launch.</summary>
    protected static void LaunchForward(GpuNetwork g, int i, CodeWriter w) => w.Line(g.Launch(Name(g.Layer(i), "Forward")));

    /// <summary>The backward pass of a kind with one input-gradient kernel and no parameters: the early return, then its launch.</summary>
    protected static void LaunchInputGradient(GpuNetwork g, int i, CodeWriter w)
    {
        ReturnBelow(w, i);
        w.Line(g.Launch(Name(g.Layer(i), "Backward")));
    }

    /// <summary>The early return below the lowest trainable layer, before a layer's input gradient.</summary>
    protected static void ReturnBelow(CodeWriter w, int i) => w.Line("if (trainableFrom >= " + CodeWriter.Int(i) + ") return;");

    /// <summary>"conv1: Conv2D 1×28×28 → 6×28×28".</summary>
    protected static string Head(LayerPlan l) => l.Name + ": " + l.Kind.DisplayName + " " + l.Input + " → " + l.Output;

    protected static string I(int value) => CodeWriter.Int(value);

    protected static string F(float value) => CodeWriter.Float(value);

    /// <summary>
    /// The kernel name of a layer's pass: <c>Conv1_Forward</c>. Passes have no underscore, so the last one separates
    /// the pass from the (unique) property name and two layers' kernels can never share a name, whatever the layers
    /// are called; the network-wide kernels (<c>Gather</c>, <c>Sgd</c>, …) have none at all.
    /// </summary>
    protected static string Name(LayerPlan l, string pass) => l.PropertyName + "_" + pass;
}
