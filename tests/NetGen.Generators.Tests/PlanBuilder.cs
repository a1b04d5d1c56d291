using System.Collections.Generic;
using NetGen.Generators;
using NetGen.Generators.Layers;
using NetGen.Generators.Model;
using Xunit;

namespace NetGen.Generators.Tests;

/// <summary>Plans of small networks written as layer specs, for the tests of the planner's layouts.</summary>
internal static class PlanBuilder
{
    public static LayerSpec L(string kind, LayerOptions? options = null, string? name = null, string? from = null, params string[] joins) =>
        new(LayerKind.Named(kind), name, null, options ?? LayerOptions.None, from, joins.ToEquatableArray());

    public static LayerSpec Conv(int filters, int kernel, int padding = 0, int stride = 1, string? name = null, string? from = null) =>
        L("Conv2D", new Conv2DOptions(filters, kernel, stride, padding, true), name, from);

    public static LayerSpec Dense(int units, string? name = null) => L("Dense", new DenseOptions(units, true), name);

    /// <summary>The plan of the network; it must have no diagnostics.</summary>
    public static NetworkPlan Plan(int[] input, params LayerSpec[] layers)
    {
        var model = new NetworkModel("Models", "Net", "Models.Net", new EquatableArray<int>(input), null, new EquatableArray<LayerSpec>(layers), null, true);
        var diagnostics = new List<DiagnosticInfo>();
        NetworkPlan? plan = ShapeInference.Plan(model, diagnostics);
        Assert.Empty(diagnostics);
        return plan!;
    }
}
