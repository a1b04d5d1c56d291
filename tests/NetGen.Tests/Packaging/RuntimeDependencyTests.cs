using System;
using System.Linq;
using System.Reflection;
using Xunit;

namespace NetGen.Tests.Packaging;

/// <summary>
/// What keeps the runtime fit for Native-AOT inference binaries: it references the framework and nothing else
/// (GPU support, ILGPU and anything needing dynamic code belong in assemblies an inference binary does not
/// reference), and it is built as AOT-compatible, which turns the trim and AOT analyzers on for it.
/// </summary>
public sealed class RuntimeDependencyTests
{
    private static readonly Assembly s_runtime = typeof(INetwork).Assembly;

    [Fact]
    public void Runtime_ReferencesOnlyTheFramework()
    {
        string[] references = [.. s_runtime.GetReferencedAssemblies().Select(a => a.Name!)];
        Assert.NotEmpty(references);
        Assert.All(references, name => Assert.True(name.StartsWith("System.", StringComparison.Ordinal) || name == "System", name + " is not part of .NET"));
    }

    [Fact]
    public void Runtime_IsBuiltAsTrimmableAndAotCompatible()
    {
        // IsAotCompatible implies IsTrimmable, which the SDK records in the assembly for the trimmer.
        Assert.Contains(s_runtime.GetCustomAttributes<AssemblyMetadataAttribute>(), a => a.Key == "IsTrimmable" && a.Value == "True");
    }
}
