using System;
using System.Linq;
using NetGen.Generators.Layers;
using NetGen.Generators.Model;
using Xunit;

namespace NetGen.Generators.Tests;

/// <summary>
/// The one registry of layer kinds: every <see cref="LayerKindId"/> has a kind, every layer attribute the runtime
/// declares is read as exactly one kind, and every kind has GPU kernels of its own (never another kind's).
/// </summary>
public sealed class LayerKindRegistryTests
{
    [Fact]
    public void Every_kind_id_is_registered_under_its_own_name()
    {
        foreach (LayerKindId id in Enum.GetValues<LayerKindId>())
        {
            LayerKind kind = LayerKind.For(id);
            Assert.Equal(id.ToString(), kind.DisplayName);
            Assert.True(LayerKind.TryFromAttribute("NetGen." + id + "Attribute", out LayerKindId read));
            Assert.Equal(id, read);
        }

        Assert.Equal(Enum.GetValues<LayerKindId>().Length, LayerKind.All.Count());
    }

    [Fact]
    public void Every_layer_attribute_of_the_runtime_has_a_kind_and_nothing_else_does()
    {
        string[] declared = typeof(LayerAttribute).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(LayerAttribute)) && !t.IsAbstract)
            .Select(t => t.FullName!)
            .OrderBy(n => n, StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(declared, LayerKind.AttributeNames.OrderBy(n => n, StringComparer.Ordinal).ToArray());
        Assert.False(LayerKind.TryFromAttribute("NetGen.LayerAttribute", out _));
        Assert.False(LayerKind.TryFromAttribute("NetGen.InputAttribute", out _));
    }

    [Fact]
    public void Every_kind_has_its_own_gpu_kernels()
    {
        var gpuKinds = LayerKind.All.Select(k => k.Value.GpuKind).ToList();
        Assert.Equal(gpuKinds.Count, gpuKinds.Distinct().Count());
        foreach ((LayerKindId id, LayerKind kind) in LayerKind.All)
        {
            Assert.Same(kind.GpuKind, Layers.Gpu.GpuLayerKind.For(id));
            Assert.Equal("Gpu" + kind.GetType().Name, kind.GpuKind.GetType().Name);
        }
    }
}
