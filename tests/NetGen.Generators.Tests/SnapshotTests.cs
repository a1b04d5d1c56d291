using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Xunit;

namespace NetGen.Generators.Tests;

/// <summary>
/// The emitted code of LeNet-5, an MLP, a BatchNorm network, one tiny network per layer kind and the GPU part
/// of a small network, compared with the committed files in Snapshots/ (line endings
/// normalized); any difference fails. To accept a change, run with NETGEN_UPDATE_SNAPSHOTS=1: the files in
/// the source folder are rewritten instead, and the diff is reviewed like code.
/// </summary>
public sealed class SnapshotTests
{
    /// <summary>Exactly the declaration of samples/LeNet/LeNet5.cs.</summary>
    private const string LeNet5 = """
        using NetGen;

        namespace LeNet;

        /// <summary>LeNet-5 as in the NetGen README: two convolutions with pooling, then three dense layers.</summary>
        [Network, Input(1, 28, 28)]
        [Conv2D(6, 5, Padding = 2), ReLU, MaxPool2D(2)]
        [Conv2D(16, 5), ReLU, MaxPool2D(2)]
        [Dense(120), ReLU]
        [Dense(84), ReLU]
        [Dense(10)]
        public partial class LeNet5;
        """;

    private const string Mlp = """
        using NetGen;

        namespace Models;

        /// <summary>A multilayer perceptron for 28×28 digits, with dropout and a softmax head.</summary>
        [Network, Input(784)]
        [Dense(128), ReLU, Dropout(0.2f)]
        [Dense(64), Tanh]
        [Dense(10), Softmax]
        public partial class Mlp;
        """;

    private const string BatchNormNet = """
        using NetGen;

        namespace Models;

        /// <summary>BatchNorm after a convolution (per-channel lanes) and after a Dense (lanes across channels).</summary>
        [Network, Input(1, 12, 12)]
        [Conv2D(4, 3), BatchNorm, ReLU, MaxPool2D(2)]
        [Dense(16), BatchNorm(Momentum = 0.2f), ReLU]
        [Dense(3)]
        public partial class BatchNormNet;
        """;

    /// <summary>
    /// One tiny network per layer kind, small enough to read whole: the kind's scalar and vector kernels and the
    /// calls around them. The name is the snapshot's (Kinds/&lt;name&gt;.g.cs.txt) and the class's.
    /// </summary>
    public static TheoryData<string, string> Kinds => new()
    {
        { "Dense", "[Network, Input(5), Dense(3)]" },
        { "Conv2D", "[Network, Input(1, 6, 6), Conv2D(2, 3, Padding = 1)]" },
        { "Conv2DStrided", "[Network, Input(2, 9, 9), Conv2D(2, 1), Conv2D(5, 3, Stride = 2, Padding = 1)]" },
        { "MaxPool2D", "[Network, Input(2, 4, 4), MaxPool2D(2)]" },
        { "AvgPool2D", "[Network, Input(1, 5, 5), AvgPool2D(3, Stride = 2)]" },
        { "ReLU", "[Network, Input(12), ReLU]" },
        { "Tanh", "[Network, Input(12), Tanh]" },
        { "LeakyReLU", "[Network, Input(12), LeakyReLU(0.2)]" },
        { "GELU", "[Network, Input(3), Dense(12), GELU]" },
        { "Softmax", "[Network, Input(6), Softmax]" },
        { "Dropout", "[Network, Input(12), Dropout(0.5)]" },
        { "BatchNorm", "[Network, Input(2, 3, 3), BatchNorm]" },
        { "GlobalAvgPool2D", "[Network, Input(2, 3, 4), GlobalAvgPool2D]" },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EachKind_MatchesItsSnapshot(string name, string attributes) =>
        Verify("using NetGen;\n\nnamespace Kinds;\n\n" + attributes + "\npublic partial class " + name + "Net;\n", "Kinds." + name + "Net.g.cs", Path.Combine("Kinds", name + ".g.cs.txt"));

    /// <summary>The GPU part of a small network, compiled against the real ILGPU and NetGen.Gpu.</summary>
    [Fact]
    public void GpuPart_MatchesSnapshot()
    {
        const string source = """
            using NetGen;

            namespace Models;

            /// <summary>A small network for the GPU snapshot: a convolution, a pool and two dense layers.</summary>
            [Network, Input(1, 6, 6)]
            [Conv2D(2, 3), ReLU, MaxPool2D(2)]
            [Dense(4), Tanh]
            [Dense(2)]
            public partial class SmallGpuNet;
            """;
        MetadataReference[] gpu =
        [
            MetadataReference.CreateFromFile(typeof(ILGPU.Context).Assembly.Location),
            MetadataReference.CreateFromFile(typeof(NetGen.Gpu.IGpuNetwork).Assembly.Location),
        ];
        Verify(GeneratorHarness.Run(GeneratorHarness.Compile(GeneratorHarness.Parse(source)).AddReferences(gpu)), "Models.SmallGpuNet.Gpu.g.cs", "SmallGpuNet.Gpu.g.cs.txt");
    }

    [Fact]
    public void BatchNormNet_MatchesSnapshot() => Verify(BatchNormNet, "Models.BatchNormNet.g.cs", "BatchNormNet.g.cs.txt");

    [Fact]
    public void LeNet5_MatchesSnapshot() => Verify(LeNet5, "LeNet.LeNet5.g.cs", "LeNet5.g.cs.txt");

    [Fact]
    public void Mlp_MatchesSnapshot() => Verify(Mlp, "Models.Mlp.g.cs", "Mlp.g.cs.txt");

    [Fact]
    public void Snapshot_MatchesTheSample()
    {
        // LeNet5 above must stay the sample's declaration: the snapshot is of what users build.
        string sample = File.ReadAllText(Path.Combine(RepositoryRoot(), "samples", "LeNet", "LeNet5.cs"));
        Assert.Equal(Normalize(sample).Trim(), Normalize(LeNet5).Trim());
    }

    private static void Verify(string source, string hintName, string snapshotName) => Verify(GeneratorHarness.Run(source), hintName, snapshotName);

    private static void Verify(GeneratorRun run, string hintName, string snapshotName)
    {
        Assert.Null(run.Crash);
        Assert.Empty(run.GeneratorDiagnostics);
        // CS1701 (ILGPU was built against an older System.Runtime) comes from the test's references, not the code.
        Assert.Empty(run.OutputDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Id != "CS1701"));
        string actual = Normalize(Assert.Single(run.Sources, s => s.Key == hintName).Value);

        string path = Path.Combine(SnapshotFolder(), snapshotName);
        if (Environment.GetEnvironmentVariable("NETGEN_UPDATE_SNAPSHOTS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), "No snapshot at " + path + "; run the tests with NETGEN_UPDATE_SNAPSHOTS=1 to write it.");
        string expected = Normalize(File.ReadAllText(path));
        if (expected != actual)
        {
            Assert.Fail(FirstDifference(snapshotName, expected, actual));
        }
    }

    private static string Normalize(string text) => text.ReplaceLineEndings("\n");

    /// <summary>Where the snapshots are committed, found from this file's path (or, under path mapping, from the output folder up).</summary>
    private static string SnapshotFolder([CallerFilePath] string thisFile = "")
    {
        string beside = Path.Combine(Path.GetDirectoryName(thisFile) ?? string.Empty, "Snapshots");
        return Directory.Exists(beside)
            ? beside
            : Path.Combine(RepositoryRoot(), "tests", "NetGen.Generators.Tests", "Snapshots");
    }

    private static string RepositoryRoot([CallerFilePath] string thisFile = "")
    {
        for (DirectoryInfo? d = new(Path.GetDirectoryName(thisFile) ?? AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (Directory.Exists(Path.Combine(d.FullName, "generators", "NetGen.Generators")))
            {
                return d.FullName;
            }
        }

        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (Directory.Exists(Path.Combine(d.FullName, "generators", "NetGen.Generators")))
            {
                return d.FullName;
            }
        }

        throw new DirectoryNotFoundException("The repository root (with generators/NetGen.Generators) was not found above " + thisFile);
    }

    private static string FirstDifference(string name, string expected, string actual)
    {
        string[] e = expected.Split('\n'), a = actual.Split('\n');
        int line = 0;
        while (line < e.Length && line < a.Length && e[line] == a[line])
        {
            line++;
        }

        return $"""
            The generated code differs from Snapshots/{name} at line {line + 1} (set NETGEN_UPDATE_SNAPSHOTS=1 to accept it):
              expected: {(line < e.Length ? e[line] : "<end of file>")}
              actual:   {(line < a.Length ? a[line] : "<end of file>")}
            """;
    }
}
