using System.Collections.Generic;
using System.Linq;
using NetGen.Generators.Layers;
using NetGen.Generators.Model;

namespace NetGen.Generators.Emit;

/// <summary>
/// The header's map of one sample's workspace: every slot the plan laid out, by offset, with the name the pass
/// methods give its span (<see cref="SlotTable"/>), the layer that owns it, what it holds, and its shape.
/// </summary>
internal static class WorkspaceMap
{
    /// <summary>One slot of the workspace.</summary>
    internal readonly record struct Slot(string Role, int Offset, int Length, string Holds, string Shape);

    private static readonly string[] s_header = { "slot", "layer", "holds", "offset", "floats", "shape" };

    public static void Write(CodeWriter w, NetworkPlan plan)
    {
        var rows = new List<string[]> { s_header };
        var seen = new HashSet<(int Offset, int Length)>();
        foreach ((LayerPlan layer, Slot slot) in Slots(plan).OrderBy(s => s.Slot.Offset))
        {
            // A Flatten's output and gradient are its input's: the earlier row already names them.
            if (seen.Add((slot.Offset, slot.Length)))
            {
                rows.Add(new[] { layer.Name + "_" + slot.Role, layer.Name, slot.Holds, CodeWriter.Int(slot.Offset), CodeWriter.Int(slot.Length), slot.Shape });
            }
        }

        w.Line("//");
        w.Line(CodeWriter.Format("// Workspace of one sample, {0} floats (each slot followed by {1} floats of slack that vector loads may read);", plan.WorkspaceSize, ShapeInference.SlotSlack));
        w.Line("// gradients whose lives in backward do not overlap share floats, and the layers' transient scratch one region");
        w.Line(CodeWriter.Format("// ({0} floats with a slot for each):", plan.WorkspaceWithoutSharing));
        int[] widths = Enumerable.Range(0, 6).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (string[] row in rows)
        {
            w.Line(("// " + string.Join("  ", row.Select((cell, c) => c is 3 or 4 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c])))).TrimEnd());
        }
    }

    private static IEnumerable<(LayerPlan Layer, Slot Slot)> Slots(NetworkPlan plan)
    {
        // Values written in place into a Concat's output: their rows say whose.
        Dictionary<int, string> hostedBy = ConcatLayer.InPlaceValues(plan).ToDictionary(v => v.Value, v => plan.Layers[v.Concat].Name);

        for (int i = 0; i < plan.Layers.Count; i++)
        {
            LayerPlan l = plan.Layers[i];
            string shape = l.Output.ToDimensionList();
            bool aliases = l.AliasesInput;
            if (!aliases)
            {
                string holds = hostedBy.TryGetValue(i, out string? host) ? "output, in " + host + "'s" : "output";
                yield return (l, new Slot("y", l.OutputOffset, l.Output.Size, holds, shape));
            }

            if (l.Delta.InWorkspace)
            {
                yield return (l, new Slot("dy", l.Delta.Offset, l.Output.Size, "d loss / d output", shape));
            }

            if (l.MaskOffset >= 0)
            {
                yield return (l, new Slot("mask", l.MaskOffset, l.Output.Size, "dropout mask", shape));
            }

            for (int j = 0; j < l.Operands.Count; j++)
            {
                Operand o = l.Operands[j];
                if (o.IsStaged)
                {
                    yield return (l, new Slot("dx" + CodeWriter.Int(j), o.StagingOffset, o.Shape.Size, "share of d loss / d " + o.Name, o.Shape.ToDimensionList()));
                }
            }

            foreach (Slot slot in l.Kind.ScratchSlots(l))
            {
                yield return (l, slot);
            }
        }
    }
}
