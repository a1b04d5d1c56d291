using NetGen.Generators.Model;

namespace NetGen.Generators.Emit;

/// <summary>The evaluation passes <c>Predict</c> runs, on its own workspace layout (<see cref="PredictLayout"/>).</summary>
internal static partial class NetworkEmitter
{
    /// <summary>
    /// One evaluation pass per kernel path: the forward calls of the training pass in evaluation mode (BatchNorm with
    /// its running statistics, dropout as the identity), on the spans of Predict's layout.
    /// </summary>
    private static void WritePredictPasses(CodeWriter w, NetworkPlan plan, NetworkPlan predict)
    {
        foreach (int width in Widths)
        {
            w.Line("/// <summary>Predict's pass on the " + PathName(width) + " kernels: input " + plan.Input.ToDimensionList() + " → output " + plan.Output.ToDimensionList()
                + ", evaluation mode, on " + CodeWriter.Int(predict.WorkspaceSize) + " floats where values share the floats of values no later layer reads.</summary>");
            w.Open("private static void Predict" + CoreSuffix(width) + "(" + ROS + " input, " + Span + " workspace, " + ROS + " p" + (plan.HasBatchNorm ? ", " + ROS + " buffers" : string.Empty) + ")");
            CodeWriter outer = w;
            var slots = new SlotTable();
            w = outer.Nested();
            if (HasDropout(plan))
            {
                w.Line("const bool training = false; // dropout is the identity");
                w.Line("var rng = default(global::NetGen.Rng);");
            }

            for (int i = 0; i < predict.Layers.Count; i++)
            {
                WriteLayerForward(w, predict, i, width, slots, evaluationOnly: true);
            }

            slots.WriteWith(outer, w);
            w = outer;
            w.Close();
            w.Line();
        }
    }

    private static bool HasDropout(NetworkPlan plan)
    {
        foreach (LayerPlan l in plan.Layers)
        {
            if (l.MaskOffset >= 0)
            {
                return true;
            }
        }

        return false;
    }
}
