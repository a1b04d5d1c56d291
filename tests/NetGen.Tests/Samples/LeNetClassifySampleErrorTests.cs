using System;
using System.IO;
using Xunit;

namespace NetGen.Tests.Samples;

/// <summary>
/// samples/LeNet.Classify given bad input: one line <c>error: ...</c> per bad file or for a bad option, no stack
/// trace, exit 3 for a file that cannot be read and 2 for a bad option; a good file beside a bad one is still classified.
/// </summary>
public sealed class LeNetClassifySampleErrorTests
{
    private const string Sample = "LeNet.Classify";

    private static string Seven => Path.Combine(SampleProgram.RepositoryRoot, "samples", "LeNet.Classify", "digits", "seven.pgm");

    [Theory]
    [InlineData("--limit 0", "--limit", "'0'")]
    [InlineData("--limit abc", "--limit", "'abc'")]
    [InlineData("--benchmark 0", "--benchmark", "'0'")]
    [InlineData("--path vector1024", "--path", "'vector1024'")]
    [InlineData("--labels", "--labels")]
    [InlineData("--no-such-option", "--no-such-option")]
    public void BadOption_OneErrorLineNamingIt_Exit2(string args, params string[] mentions)
    {
        SampleRun run = SampleProgram.Run(Sample, [Seven, .. args.Split(' ')]);
        SampleProgram.AssertError(run, 2, mentions);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public void NoFile_OneErrorLine_Exit2()
    {
        SampleProgram.AssertError(SampleProgram.Run(Sample, []), 2, "FILE");
    }

    [Fact]
    public void MissingImage_NamesIt_Exit3()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        string missing = temp.File("missing.pgm");
        SampleProgram.AssertError(SampleProgram.Run(Sample, [missing]), 3, missing);
    }

    [Fact]
    public void CorruptImage_NamesIt_Exit3_AndTheGoodImageIsStillClassified()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        string corrupt = temp.File("corrupt.pgm");
        File.WriteAllText(corrupt, "P5\n28 28\n255\nabc");
        SampleRun run = SampleProgram.Run(Sample, [corrupt, Seven]);
        SampleProgram.AssertError(run, 3, corrupt);
        Assert.StartsWith(Seven + ": 7 ", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void TruncatedIdxFile_NamesIt_Exit3()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        string images = SampleProgram.TruncatedDigits(temp.File("digits"));
        SampleProgram.AssertError(SampleProgram.Run(Sample, [images]), 3, images);
    }

    [Fact]
    public void MissingLabels_NamesThem_Exit3()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        string missing = temp.File("labels");
        SampleRun run = SampleProgram.Run(Sample, ["--labels", missing, Seven]);
        SampleProgram.AssertError(run, 3, missing);
    }

    [Fact]
    public void Verbose_AddsTheStackTrace()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        string corrupt = temp.File("corrupt.pgm");
        File.WriteAllText(corrupt, "P2\n");
        SampleProgram.AssertStackTrace(SampleProgram.Run(Sample, ["--verbose", corrupt]), 3);
    }

    [Fact]
    public void Help_DocumentsVerboseAndTheExitCodes()
    {
        SampleRun run = SampleProgram.Run(Sample, ["--help"]);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--verbose", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("3 bad input file", run.Stdout, StringComparison.Ordinal);
    }
}
