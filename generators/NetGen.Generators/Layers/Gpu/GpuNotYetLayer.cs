using NetGen.Generators.Emit;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers.Gpu;

/// <summary>
/// A kind that has no ILGPU kernels yet (Embedding, LSTM): the GPU kernel set of a network with such a layer
/// refuses to run, naming the layer, instead of computing something else. The CPU paths are unaffected.
/// </summary>
internal abstract class GpuNotYetLayer : GpuLayerKind
{
    public override void EmitKernels(GpuNetwork g, int i)
    {
    }

    public override void EmitForward(GpuNetwork g, int i, CodeWriter w) => Refuse(g, i, w);

    public override void EmitBackward(GpuNetwork g, int i, CodeWriter w) => Refuse(g, i, w);

    private static void Refuse(GpuNetwork g, int i, CodeWriter w)
    {
        LayerPlan l = g.Layer(i);
        w.Line("throw new global::System.NotSupportedException(\"Layer '" + l.Name + "' (" + l.Kind.DisplayName + ") has no GPU kernels yet; train and run this network on the CPU.\");");
    }
}

/// <summary>Embedding on the GPU: not yet (see <see cref="GpuNotYetLayer"/>).</summary>
internal sealed class GpuEmbeddingLayer : GpuNotYetLayer;

/// <summary>LSTM on the GPU: not yet (see <see cref="GpuNotYetLayer"/>).</summary>
internal sealed class GpuLSTMLayer : GpuNotYetLayer;

/// <summary>SimpleRNN on the GPU: not yet (see <see cref="GpuNotYetLayer"/>).</summary>
internal sealed class GpuSimpleRNNLayer : GpuNotYetLayer;
