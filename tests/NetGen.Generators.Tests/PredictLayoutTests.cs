using System.Collections.Generic;
using System.Linq;
using NetGen.Generators;
using NetGen.Generators.Emit;
using NetGen.Generators.Layers;
using NetGen.Generators.Model;
using Xunit;
using static NetGen.Generators.Tests.PlanBuilder;

namespace NetGen.Generators.Tests;

/// <summary>
/// Predict's workspace layout (<see cref="PredictLayout"/>), checked from the plan's public facts: at every step the
/// values still to be read (written at their producer's step, or the one before when the producer's activation is
/// fused below, and read up to their last reader's) never share a float, scratch and masks overlap no value, and
/// the layout is smaller than the training one, which keeps every value for backward. Values a Concat joins in place
/// lie inside its output by design (see <see cref="ConcatInPlaceTests"/>).
/// </summary>
public sealed class PredictLayoutTests
{
    public static TheoryData<string> Networks => new() { "lenet", "residual", "branches" };

    private static (int[] Input, LayerSpec[] Layers) Network(string name) => name switch
    {
        "lenet" => ([1, 28, 28], [Conv(6, 5, 2), L("ReLU"), L("MaxPool2D", new Pool2DOptions(2, 2, false)), Conv(16, 5), L("ReLU"), L("MaxPool2D", new Pool2DOptions(2, 2, false)), Dense(120), L("ReLU"), Dense(84), L("ReLU"), Dense(10)]),
        "residual" => ([3, 8, 8], [Conv(4, 3, 1), L("ReLU", name: "r1"), Conv(4, 3, 1), L("Tanh"), L("Add", null, null, null, "r1"), Conv(6, 3, 1, 2), L("ReLU", name: "b2"), Conv(6, 1, 0, 1, from: "b2"), L("Add", null, null, null, "b2"), L("GlobalAvgPool2D"), Dense(3)]),
        _ => ([2, 7, 7], [Conv(3, 3, 1), L("ReLU", name: "ra"), Conv(5, 1, name: "sb", from: "ra"), Conv(2, 3, 1, from: "ra"), L("Concat", null, null, null, "sb", "ra"), L("Flatten"), Dense(4)]),
    };

    private static NetworkPlan Plan(string name)
    {
        (int[] input, LayerSpec[] layers) = Network(name);
        return PlanBuilder.Plan(input, layers);
    }

    private static int Length(int size) => ((size + 15) / 16 * 16) + 16;

    [Theory]
    [MemberData(nameof(Networks))]
    public void Values_alive_at_one_step_never_share_a_float_and_the_layout_is_smaller(string name)
    {
        NetworkPlan training = Plan(name);
        NetworkPlan predict = PredictLayout.Of(training);
        EquatableArray<LayerPlan> layers = predict.Layers;
        int n = layers.Count;
        var lives = new List<(string Name, int Offset, int Size, int Length, int First, int Last)>();
        for (int v = 0; v < n; v++)
        {
            if (layers[v].AliasesInput)
            {
                continue;
            }

            // Readers: layers that read v, or an alias of v (a Flatten's readers read v's floats).
            var aliases = new HashSet<int> { v };
            for (int j = v + 1; j < n; j++)
            {
                if (layers[j].AliasesInput && aliases.Contains(layers[j].Operands[0].Producer))
                {
                    aliases.Add(j);
                }
            }

            int last = Enumerable.Range(0, n).Where(j => aliases.Contains(j) || layers[j].Operands.Any(o => aliases.Contains(o.Producer))).Max();
            if (aliases.Contains(n - 1))
            {
                last = n;
            }

            lives.Add((layers[v].Name, layers[v].OutputOffset, layers[v].Output.Size, Length(layers[v].Output.Size), layers[v].FusedIntoPrevious ? v - 1 : v, last));
        }

        // A value a Concat joins in place lies exactly in its range of the Concat's output (its start: the sizes of
        // the operands before it), as the Concat's operands do one after the other: those pairs share by design.
        var within = new HashSet<(string Value, string Concat)>();
        foreach (LayerPlan c in layers.Where(c => c.Kind.DisplayName == "Concat"))
        {
            int start = 0;
            foreach (Operand o in c.Operands)
            {
                if (o.Offset == c.OutputOffset + start)
                {
                    within.Add((o.Name, c.Name));
                }

                start += o.Shape.Size;
            }
        }

        bool Within(string value, string concat) =>
            within.Contains((value, concat)) || within.Any(w => w.Value == value && Within(w.Concat, concat));

        foreach (var a in lives)
        {
            foreach (var b in lives.Where(b => b.Offset > a.Offset || (b.Offset == a.Offset && string.CompareOrdinal(b.Name, a.Name) > 0)))
            {
                bool apart = a.Last < b.First || b.Last < a.First;
                if (Within(a.Name, b.Name) || Within(b.Name, a.Name))
                {
                    continue;
                }

                // Values inside a Concat's output have no slack after them: the next operand starts there.
                int aLength = within.Any(w => w.Value == a.Name) ? a.Size : a.Length, bLength = within.Any(w => w.Value == b.Name) ? b.Size : b.Length;
                bool disjoint = a.Offset + aLength <= b.Offset || b.Offset + bLength <= a.Offset;
                Assert.True(apart || disjoint, $"{name}: {a.Name} (steps {a.First}–{a.Last}) and {b.Name} (steps {b.First}–{b.Last}) share floats");
            }
        }

        int valuesEnd = lives.Max(l => l.Offset + l.Length);
        foreach (LayerPlan l in layers.Where(l => l.ScratchOffset >= 0 || l.MaskOffset >= 0))
        {
            Assert.True(System.Math.Max(l.ScratchOffset, l.MaskOffset) >= valuesEnd, $"{name}: {l.Name}'s scratch or mask overlaps the values");
        }

        Assert.True(predict.WorkspaceSize < training.WorkspaceSize, $"{name}: Predict's {predict.WorkspaceSize} floats against training's {training.WorkspaceSize}");
    }
}
