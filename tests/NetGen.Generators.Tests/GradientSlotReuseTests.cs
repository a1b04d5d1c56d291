using System.Collections.Generic;
using System.Linq;
using NetGen.Generators;
using NetGen.Generators.Layers;
using NetGen.Generators.Model;
using Xunit;

namespace NetGen.Generators.Tests;

/// <summary>
/// The planner's reuse of gradient workspace. Backward runs the layers from the logits down, one step each; the
/// gradient of layer k's output is written at the step of the first layer above k that runs code (a Flatten
/// passes its slot on) and last read at k's step, or at k − 1's when k is an activation that k − 1's vector
/// kernels apply. The tests recompute those lives from the plan's public facts and check that gradients alive
/// at the same step never share a float, that nothing overlaps an activation, and that reuse saves space.
/// </summary>
public sealed class GradientSlotReuseTests
{
    private static LayerSpec L(string kind, LayerOptions? options = null) => new(LayerKind.Named(kind), null, null, options ?? LayerOptions.None);

    private static LayerSpec Conv(int filters, int kernel, int padding = 0) => L("Conv2D", new Conv2DOptions(filters, kernel, 1, padding, true));

    private static LayerSpec Dense(int units) => L("Dense", new DenseOptions(units, true));

    private static LayerSpec Pool(int size) => L("MaxPool2D", new Pool2DOptions(size, size, false));

    public static TheoryData<string> Networks => new() { "lenet", "flatten", "batchnorm", "gelu", "dropout" };

    private static (int[] Input, LayerSpec[] Layers) Network(string name) => name switch
    {
        "lenet" => ([1, 28, 28], [Conv(6, 5, 2), L("ReLU"), Pool(2), Conv(16, 5), L("ReLU"), Pool(2), Dense(120), L("ReLU"), Dense(84), L("ReLU"), Dense(10)]),
        "flatten" => ([2, 8, 8], [Conv(4, 3), L("Tanh"), L("Flatten"), Dense(20), L("Sigmoid"), Dense(3)]),
        "batchnorm" => ([2, 6, 6], [Conv(3, 3), L("BatchNorm", new BatchNormOptions(1e-5, 0.1)), L("ReLU"), Dense(9), L("BatchNorm", new BatchNormOptions(1e-5, 0.1)), L("Tanh"), Dense(3)]),
        "gelu" => ([30], [Dense(40), L("GELU"), Dense(25), L("GELU"), Dense(4)]),
        _ => ([30], [Dense(40), L("ReLU"), L("Dropout", new DropoutOptions(0.5)), Dense(25), L("Tanh"), Dense(4)]),
    };

    private static NetworkPlan Plan(string name)
    {
        (int[] input, LayerSpec[] layers) = Network(name);
        var model = new NetworkModel("Models", "Net", "Models.Net", new EquatableArray<int>(input), null, new EquatableArray<LayerSpec>(layers), null, true);
        var diagnostics = new List<DiagnosticInfo>();
        NetworkPlan? plan = ShapeInference.Plan(model, diagnostics);
        Assert.Empty(diagnostics);
        return plan!;
    }

    /// <summary>The step that writes layer k's output gradient: the first layer above that runs code.</summary>
    private static int Writer(NetworkPlan plan, int k)
    {
        int j = k + 1;
        while (plan.Layers[j].AliasesInput)
        {
            j++;
        }

        return j;
    }

    /// <summary>The last step that reads layer k's output gradient, following a Flatten's shared slot downwards.</summary>
    private static int LastReader(NetworkPlan plan, int k)
    {
        int reader = plan.Layers[k].FusedIntoPrevious ? k - 1 : k;
        return k > 0 && plan.Layers[k].AliasesInput ? LastReader(plan, k - 1) : reader;
    }

    private static int Length(LayerPlan l) => ((l.Output.Size + 15) / 16 * 16) + 16;

    [Theory]
    [MemberData(nameof(Networks))]
    public void Gradients_alive_at_the_same_step_never_share_a_float(string name)
    {
        NetworkPlan plan = Plan(name);
        var slots = Enumerable.Range(0, plan.Layers.Count).Where(k => plan.Layers[k].Delta.Source == GradientSource.Workspace && !plan.Layers[k].AliasesInput).ToArray();
        Assert.NotEmpty(slots);
        foreach (int a in slots)
        {
            foreach (int b in slots.Where(b => b < a))
            {
                bool disjointLives = LastReader(plan, a) > Writer(plan, b);
                int oa = plan.Layers[a].Delta.Offset, ob = plan.Layers[b].Delta.Offset;
                bool disjointFloats = oa + Length(plan.Layers[a]) <= ob || ob + Length(plan.Layers[b]) <= oa;
                Assert.True(disjointLives || disjointFloats, $"{name}: {plan.Layers[a].Name}'s gradient (steps {Writer(plan, a)}–{LastReader(plan, a)}) and {plan.Layers[b].Name}'s (steps {Writer(plan, b)}–{LastReader(plan, b)}) share workspace");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void Gradients_overlap_no_output_and_fit_the_workspace(string name)
    {
        NetworkPlan plan = Plan(name);
        int outputsEnd = plan.Layers.Max(l => l.OutputOffset + Length(l));
        foreach (LayerPlan l in plan.Layers.Where(l => l.Delta.Source == GradientSource.Workspace))
        {
            Assert.True(l.Delta.Offset >= outputsEnd, $"{name}: {l.Name}'s gradient at {l.Delta.Offset} overlaps the outputs (which end at {outputsEnd})");
            Assert.True(l.Delta.Offset + Length(l) <= plan.WorkspaceSize, $"{name}: {l.Name}'s gradient runs past the workspace");
        }
    }

    /// <summary>
    /// Reuse saves space: the gradients span less than their sum, and no less than the most that are alive at one
    /// step (which any valid layout needs); for LeNet-5 first fit reaches that bound within a slot's slack.
    /// </summary>
    [Theory]
    [MemberData(nameof(Networks))]
    public void Gradients_span_between_the_widest_step_and_their_sum(string name)
    {
        NetworkPlan plan = Plan(name);
        int[] slots = Enumerable.Range(0, plan.Layers.Count).Where(k => plan.Layers[k].Delta.Source == GradientSource.Workspace && !plan.Layers[k].AliasesInput).ToArray();
        int start = slots.Min(k => plan.Layers[k].Delta.Offset), end = slots.Max(k => plan.Layers[k].Delta.Offset + Length(plan.Layers[k]));
        int sum = slots.Sum(k => Length(plan.Layers[k]));
        int widest = Enumerable.Range(0, plan.Layers.Count)
            .Max(step => slots.Where(k => LastReader(plan, k) <= step && step <= Writer(plan, k)).Sum(k => Length(plan.Layers[k])));
        Assert.InRange(end - start, widest, sum);
        if (widest < sum)
        {
            // Some gradients are never alive together: at least one float must be shared.
            Assert.True(end - start < sum, $"{name}: no gradient slot is shared ({end - start} floats)");
        }

        if (name == "lenet")
        {
            Assert.True(end - start <= widest + 1024, $"lenet: the gradients span {end - start} floats; {widest} are alive at the widest step");
        }
    }

    /// <summary>
    /// The figure the header reports beside the workspace: the same layout with a slot for every gradient and for
    /// every layer's transient scratch (which they share as one region, as large as the largest).
    /// </summary>
    [Theory]
    [MemberData(nameof(Networks))]
    public void The_unshared_figure_is_the_workspace_with_a_slot_for_every_gradient_and_scratch(string name)
    {
        NetworkPlan plan = Plan(name);
        int[] slots = Enumerable.Range(0, plan.Layers.Count).Where(k => plan.Layers[k].Delta.Source == GradientSource.Workspace && !plan.Layers[k].AliasesInput).ToArray();
        int start = slots.Min(k => plan.Layers[k].Delta.Offset);
        int[] transient = plan.Layers.Where(l => l.ScratchOffset >= 0 && l.Kind.ScratchIsTransient).Select(l => ((l.ScratchSize + 15) / 16 * 16) + 16).ToArray();
        int extraScratch = transient.Length == 0 ? 0 : transient.Sum() - transient.Max();
        Assert.Equal(start + extraScratch + slots.Sum(k => Length(plan.Layers[k])), plan.WorkspaceWithoutSharing);
        Assert.True(plan.WorkspaceSize < plan.WorkspaceWithoutSharing, $"{name}: sharing saves nothing ({plan.WorkspaceSize} floats)");
    }

    /// <summary>Every layer with transient scratch reads the one shared region, which overlaps no output, mask or private scratch.</summary>
    [Theory]
    [MemberData(nameof(Networks))]
    public void Transient_scratch_is_one_region_that_overlaps_nothing_else(string name)
    {
        NetworkPlan plan = Plan(name);
        LayerPlan[] transient = plan.Layers.Where(l => l.ScratchOffset >= 0 && l.Kind.ScratchIsTransient).ToArray();
        if (transient.Length == 0)
        {
            return;
        }

        int at = transient[0].ScratchOffset, length = transient.Max(l => l.ScratchSize);
        Assert.All(transient, l => Assert.Equal(at, l.ScratchOffset));
        foreach (LayerPlan l in plan.Layers)
        {
            var others = new List<(int Offset, int Length, string What)> { (l.OutputOffset, l.Output.Size, "output"), (l.MaskOffset, l.Output.Size, "mask") };
            if (!l.Kind.ScratchIsTransient)
            {
                others.Add((l.ScratchOffset, l.ScratchSize, "scratch"));
            }

            foreach ((int offset, int size, string what) in others.Where(o => o.Offset >= 0 && !(l.AliasesInput && o.What == "output")))
            {
                Assert.True(offset + size <= at || at + length <= offset, $"{name}: {l.Name}'s {what} [{offset}, {offset + size}) overlaps the shared scratch [{at}, {at + length})");
            }
        }
    }
}
