using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Generators.Layers;
using NetGen.Generators.Model;

namespace NetGen.Generators.Emit;

/// <summary>
/// The workspace of <c>Predict</c>, which keeps nothing for a backward pass: each value's slot lives from the step
/// that writes it (its producer's, or the step before when the producer's activation is fused into the layer below's
/// vector kernel) to the last step that reads it, and values whose lives do not overlap share floats (first fit,
/// largest first), so the workspace grows with the widest cut of the graph rather than with its depth. Scratch and
/// dropout masks (written, never read, in evaluation) share one region as large as the largest of them. Values a
/// Concat joins in place keep their place inside its output, so Predict's Concat copies what training's does. The result
/// is the training plan with these offsets, for the emitter to write <c>Predict</c>'s pass from.
/// </summary>
internal static class PredictLayout
{
    public static NetworkPlan Of(NetworkPlan plan)
    {
        EquatableArray<LayerPlan> layers = plan.Layers;
        int n = layers.Count;

        // A layer that aliases its input (Flatten) has its producer's slot: one value, the root's.
        int[] root = [.. Enumerable.Range(0, n).Select(plan.ValueOf)];

        // A value the training plan wrote into its Concat's output (ConcatLayer.InPlace) stays there: it and the
        // Concat's output are one block, placed as the outermost Concat's value, alive for all of them.
        var host = Enumerable.Repeat(-1, n).ToArray();
        var hostStart = new int[n];
        foreach ((int value, int concat, int start) in ConcatLayer.InPlaceValues(plan))
        {
            host[value] = concat;
            hostStart[value] = start;
        }

        var block = new int[n];
        for (int v = n - 1; v >= 0; v--)
        {
            block[v] = host[v] >= 0 ? block[host[v]] : v;
        }

        var first = Enumerable.Repeat(int.MaxValue, n).ToArray();
        var last = Enumerable.Repeat(-1, n).ToArray();
        for (int i = 0; i < n; i++)
        {
            int b = block[root[i]];
            first[b] = Math.Min(first[b], layers[i].FusedIntoPrevious ? i - 1 : i);
            last[b] = Math.Max(last[b], i);
            foreach (Operand operand in layers[i].Operands.Where(o => o.Producer >= 0))
            {
                last[block[root[operand.Producer]]] = Math.Max(last[block[root[operand.Producer]]], i);
            }
        }

        last[block[root[n - 1]]] = n; // the output, copied out after the last step

        var values = Enumerable.Range(0, n).Where(v => root[v] == v && host[v] < 0).ToList();
        var offsets = new long[n];
        var placed = new List<int>();
        long size = 0;
        foreach (int v in values.OrderByDescending(v => layers[v].Output.Size).ThenBy(v => v))
        {
            long length = ShapeInference.SlotLength(layers[v].Output.Size), at = 0;
            foreach (int other in placed.Where(o => first[o] <= last[v] && first[v] <= last[o]).OrderBy(o => offsets[o]))
            {
                if (at + length <= offsets[other])
                {
                    break;
                }

                at = Math.Max(at, offsets[other] + ShapeInference.SlotLength(layers[other].Output.Size));
            }

            offsets[v] = at;
            placed.Add(v);
            size = Math.Max(size, at + length);
        }

        for (int v = n - 1; v >= 0; v--)
        {
            offsets[v] = host[v] >= 0 ? offsets[host[v]] + hostStart[v] : offsets[v];
        }

        long scratch = size;
        long transient = layers.Max(l => Math.Max(l.ScratchOffset >= 0 ? ShapeInference.SlotLength(l.ScratchSize) : 0, l.MaskOffset >= 0 ? ShapeInference.SlotLength(l.Output.Size) : 0));
        size += transient;
        int Offset(long at) => (int)Math.Min(at, int.MaxValue);

        var remapped = new LayerPlan[n];
        for (int i = 0; i < n; i++)
        {
            LayerPlan l = layers[i];
            remapped[i] = l with
            {
                OutputOffset = Offset(offsets[root[i]]),
                ScratchOffset = l.ScratchOffset >= 0 ? Offset(scratch) : -1,
                MaskOffset = l.MaskOffset >= 0 ? Offset(scratch) : -1,
                Operands = l.Operands.Select(o => o.Producer < 0 ? o : o with { Offset = Offset(offsets[root[o.Producer]]) }).ToEquatableArray(),
            };
        }

        return plan with { Layers = remapped.ToEquatableArray(), WorkspaceSize = Offset(size), LogitsOffset = Offset(offsets[root[plan.LogitsLayer]]) };
    }
}
