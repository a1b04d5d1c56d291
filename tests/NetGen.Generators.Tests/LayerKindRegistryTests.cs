using System;
using System.Linq;
using NetGen.Generators.Layers;
using Xunit;

namespace NetGen.Generators.Tests;

/// <summary>
/// The one registry of layer kinds: every concrete kind in the generator is found, once, under its own attribute;
/// every layer attribute the runtime declares is read as exactly one kind; every kind has GPU kernels of its own
/// (never another kind's).
/// </summary>
public sealed class LayerKindRegistryTests
{
    [Fact]
    public void Every_kind_class_of_the_generator_is_registered_once_under_its_own_attribute()
    {
        Type[] classes = typeof(LayerKind).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(LayerKind)) && !t.IsAbstract)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToArray();
        Assert.Equal(classes, LayerKind.All.Select(k => k.GetType()).OrderBy(t => t.Name, StringComparer.Ordinal).ToArray());
        foreach (LayerKind kind in LayerKind.All)
        {
            // One class per kind, named after what users write: DenseLayer is [Dense].
            Assert.Equal(kind.DisplayName + "Layer", kind.GetType().Name);
            Assert.True(LayerKind.TryFromAttribute("NetGen." + kind.DisplayName + "Attribute", out LayerKind read));
            Assert.Same(kind, read);
            Assert.Same(kind, LayerKind.Named(kind.DisplayName));
        }

        Assert.Equal(LayerKind.All.Count, LayerKind.All.Select(k => k.DisplayName).Distinct().Count());
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
        Assert.Throws<System.Collections.Generic.KeyNotFoundException>(() => LayerKind.Named("Dense2"));
    }

    [Fact]
    public void Every_kind_has_its_own_gpu_kernels()
    {
        var gpuKinds = LayerKind.All.Select(k => k.GpuKind).ToList();
        Assert.Equal(gpuKinds.Count, gpuKinds.Distinct().Count());
        foreach (LayerKind kind in LayerKind.All)
        {
            // An activation's GPU kernels come from its own formulas; every other kind has its own GPU class.
            string expected = kind is ActivationLayer ? "GpuActivationLayer" : "Gpu" + kind.GetType().Name;
            if (kind is Pool2DLayer)
            {
                expected = "GpuPool2DLayer";
            }

            Assert.Equal(expected, kind.GpuKind.GetType().Name);
        }
    }
}
