using System;
using System.IO;
using Xunit;

namespace NetGen.Tests.Samples;

/// <summary>
/// samples/LeNet.Gpu given bad input: one line <c>error: ...</c> naming the option or file, no stack trace, the
/// documented exit code, and no training. (A missing GPU, <c>--device gpu --accelerator cuda</c>, cannot be
/// tested here: on a machine with one it would train.)
/// </summary>
public sealed class LeNetGpuSampleErrorTests
{
    private const string Sample = "LeNet.Gpu";

    [Theory]
    [InlineData("--batch 0", "--batch", "'0'")]
    [InlineData("--epochs 0", "--epochs", "'0'")]
    [InlineData("--lr abc", "--lr", "'abc'")]
    [InlineData("--lr nan", "--lr", "'nan'")]
    [InlineData("--momentum -0.5", "--momentum", "'-0.5'")]
    [InlineData("--threads 0", "--threads", "'0'")]
    [InlineData("--accelerator tpu", "--accelerator", "'tpu'")]
    [InlineData("--kernels fast", "--kernels", "'fast'")]
    public void BadOption_OneErrorLineNamingIt_Exit2_BeforeTheData(string args, params string[] mentions)
    {
        SampleRun run = SampleProgram.Run(Sample, args.Split(' '));
        SampleProgram.AssertError(run, 2, mentions);
        SampleProgram.AssertNoDataLoaded(run);
    }

    [Fact]
    public void MissingDataFolder_NamesIt_Exit3()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        string missing = temp.File("digits");
        SampleProgram.AssertError(SampleProgram.Run(Sample, ["--data", missing]), 3, "--data", missing);
    }

    [Fact]
    public void TruncatedIdxFile_NamesIt_Exit3()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        string images = SampleProgram.TruncatedDigits(temp.File("digits"));
        SampleProgram.AssertError(SampleProgram.Run(Sample, ["--data", Path.GetDirectoryName(images)!]), 3, "--data", images);
    }

    [Fact]
    public void Verbose_AddsTheStackTrace()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        SampleProgram.AssertStackTrace(SampleProgram.Run(Sample, ["--data", temp.File("digits"), "--verbose"]), 3);
    }

    [Fact]
    public void Help_DocumentsVerboseAndTheExitCodes()
    {
        SampleRun run = SampleProgram.Run(Sample, ["--help"]);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--verbose", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("2 bad option", run.Stdout, StringComparison.Ordinal);
    }
}
