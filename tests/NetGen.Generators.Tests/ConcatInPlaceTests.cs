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
/// Concat in place: the plan writes each value a Concat joins straight into its range of the Concat's output (the
/// sizes of the operands before it past the Concat's offset), so the Concat copies nothing. The expected offsets
/// here are computed from the operand shapes the test writes down, not from the planner; a value can lie in one
/// place only, so a value named twice, or by two Concats, is copied where it is not in place. The generated code
/// of the in-place cases then has no Concat forward kernel at all, and Predict's layout keeps the same placement.
/// </summary>
public sealed class ConcatInPlaceTests
{
    private static LayerSpec Concat(string? name, params string[] joins) => L("Concat", null, name, null, joins);

    private static LayerPlan Layer(NetworkPlan plan, string name) => plan.Layers.Single(l => l.Name == name);

    /// <summary>Branches of 2, 5 and 3 channels on 7×7 (98, 245 and 147 floats) joined by one Concat: all three in place.</summary>
    private static NetworkPlan Branches() => Plan(
        [2, 7, 7],
        Conv(3, 3, 1, name: "ra"), Conv(5, 1, name: "sb", from: "ra"), Conv(2, 3, 1, name: "sc", from: "ra"), Concat("cat", "sb", "ra"), L("Flatten"), Dense(4));

    [Fact]
    public void Every_operand_of_a_concat_lies_in_its_range_of_the_output_in_training_and_in_predict()
    {
        foreach (NetworkPlan plan in new[] { Branches(), PredictLayout.Of(Branches()) })
        {
            int at = Layer(plan, "cat").OutputOffset;
            Assert.Equal(at, Layer(plan, "sc").OutputOffset);
            Assert.Equal(at + 98, Layer(plan, "sb").OutputOffset);
            Assert.Equal(at + 98 + 245, Layer(plan, "ra").OutputOffset);
            Assert.True(ConcatLayer.AllInPlace(Layer(plan, "cat")));
        }
    }

    [Fact]
    public void A_value_named_twice_is_in_place_once_and_copied_the_second_time()
    {
        NetworkPlan plan = Plan([1, 5, 5], Conv(4, 3, 1, name: "a"), Conv(3, 3, 1, name: "b"), Concat("cat", "a", "a"));
        LayerPlan cat = Layer(plan, "cat");
        Assert.Equal(cat.OutputOffset, Layer(plan, "b").OutputOffset);
        Assert.Equal(cat.OutputOffset + 75, Layer(plan, "a").OutputOffset);
        Assert.True(ConcatLayer.InPlace(cat, 0) && ConcatLayer.InPlace(cat, 1));
        Assert.False(ConcatLayer.InPlace(cat, 2), "the second mention of a cannot lie in a second place");
        Assert.False(ConcatLayer.AllInPlace(cat));
    }

    [Fact]
    public void A_value_two_concats_join_lies_in_the_first_and_is_copied_into_the_second()
    {
        // c1 = [b 48, a 32]; c2 = [d 16, a 32 (a copy), c1 80 (in place)]: a lies in c1, which lies in c2.
        NetworkPlan plan = Plan(
            [1, 4, 4],
            Conv(2, 3, 1, name: "a"), Conv(3, 1, name: "b"), Concat("c1", "a"), Conv(1, 1, name: "d", from: "a"), Concat("c2", "a", "c1"), L("Flatten"), Dense(2));
        LayerPlan c1 = Layer(plan, "c1"), c2 = Layer(plan, "c2");
        Assert.Equal(c1.OutputOffset + 48, Layer(plan, "a").OutputOffset);
        Assert.Equal(c2.OutputOffset + 16 + 32, c1.OutputOffset);
        Assert.True(ConcatLayer.AllInPlace(c1));
        Assert.True(ConcatLayer.InPlace(c2, 0), "d is c2's alone");
        Assert.False(ConcatLayer.InPlace(c2, 1), "a already lies in c1");
        Assert.True(ConcatLayer.InPlace(c2, 2), "c1 itself lies in c2");
    }

    [Fact]
    public void A_concat_joined_by_another_lies_in_it_with_its_own_operands()
    {
        NetworkPlan plan = Plan(
            [1, 4, 4],
            Conv(2, 3, 1, name: "x"), Conv(3, 1, name: "y", from: "x"), Concat("inner", "x"), Conv(4, 1, name: "z"), Concat("outer", "inner"));
        int at = Layer(plan, "outer").OutputOffset;
        Assert.Equal(at, Layer(plan, "z").OutputOffset);
        Assert.Equal(at + 64, Layer(plan, "inner").OutputOffset);
        Assert.Equal(at + 64, Layer(plan, "y").OutputOffset);
        Assert.Equal(at + 64 + 48, Layer(plan, "x").OutputOffset);
        NetworkPlan predict = PredictLayout.Of(plan);
        int p = Layer(predict, "outer").OutputOffset;
        Assert.Equal(new[] { p, p + 64, p + 64, p + 64 + 48 }, new[] { "z", "inner", "y", "x" }.Select(n => Layer(predict, n).OutputOffset));
    }

    [Fact]
    public void A_flattened_value_lies_in_a_feature_concat_through_its_flatten()
    {
        NetworkPlan plan = Plan(
            [1, 4, 4],
            Conv(2, 3, 1, name: "a"), L("Flatten", name: "f"), Dense(3, name: "d"), Concat("cat", "f"), Dense(2));
        LayerPlan cat = Layer(plan, "cat");
        Assert.Equal(cat.OutputOffset, Layer(plan, "d").OutputOffset);
        Assert.Equal(cat.OutputOffset + 3, Layer(plan, "a").OutputOffset);
        Assert.Equal(cat.OutputOffset + 3, Layer(plan, "f").OutputOffset);
    }

    [Fact]
    public void The_generated_code_has_no_forward_kernel_for_a_concat_in_place_and_says_so()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using NetGen;
            namespace Models;
            [Network, Input(2, 7, 7)]
            [Conv2D(3, 3, Padding = 1, Name = "ra")]
            [Conv2D(5, 1, Name = "sb", From = "ra")]
            [Conv2D(2, 3, Padding = 1, From = "ra")]
            [Concat("sb", "ra", Name = "cat")]
            [Flatten, Dense(4)]
            public partial class Branches;
            """);
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
        string code = string.Concat(run.Sources.Values);
        Assert.DoesNotContain("CatForward", code);
        Assert.Contains("// cat: every operand was written in place", code);
        Assert.Contains("CatBackward", code);
    }
}
