using System.Linq;
using System.Runtime.Intrinsics;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Tests.Reference;

/// <summary>
/// NetGen against PyTorch: every reference file (tests/NetGen.Reference, TorchSharp 0.107.0) on the scalar,
/// Vector256 and Vector512 kernels, forward, loss, backward and optimizer steps; see <see cref="ReferenceCheck"/>
/// for what is compared and <see cref="ReferenceData.Relative"/> for the tolerance.
/// </summary>
public sealed class PyTorchReferenceTests(ITestOutputHelper output)
{
    public static TheoryData<string, KernelPath> Cases()
    {
        var data = new TheoryData<string, KernelPath>();
        foreach (ReferenceEntry entry in ReferenceCatalog.All)
        {
            foreach (KernelPath path in new[] { KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512 })
            {
                data.Add(entry.Name, path);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_PyTorch(string name, KernelPath path)
    {
        if ((path == KernelPath.Vector256 && !Vector256.IsHardwareAccelerated) || (path == KernelPath.Vector512 && !Vector512.IsHardwareAccelerated))
        {
            output.WriteLine($"{name} on {path}: skipped, this CPU does not accelerate {path} (it would run in software emulation).");
            return;
        }

        foreach (string line in ReferenceCheck.Run(ReferenceCatalog.Get(name), path))
        {
            output.WriteLine($"{name} on {path}: {line}");
        }
    }

    [Fact]
    public void Every_reference_file_has_a_case()
    {
        var files = System.IO.Directory.GetFiles(ReferenceData.Folder, "*.safetensors").Select(System.IO.Path.GetFileNameWithoutExtension).Order().ToArray();
        Assert.Equal(ReferenceCatalog.All.Select(e => e.Name).Order().ToArray(), files);
    }
}
