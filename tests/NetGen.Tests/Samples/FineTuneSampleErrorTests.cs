using System;
using System.IO;
using Xunit;

namespace NetGen.Tests.Samples;

/// <summary>
/// samples/FineTune given bad input: one line <c>error: ...</c> naming the option or file, no stack trace, the
/// documented exit code, and nothing pretrained or trained. The shipped digits stand in for Fashion-MNIST (same
/// IDX layout), so no case needs the Debian package.
/// </summary>
public sealed class FineTuneSampleErrorTests
{
    private const string Sample = "FineTune";

    [Theory]
    [InlineData("--batch 0", "--batch", "'0'")]
    [InlineData("--lr abc", "--lr", "'abc'")]
    [InlineData("--lr nan", "--lr", "'nan'")]
    [InlineData("--pretrain-lr 0", "--pretrain-lr", "'0'")]
    [InlineData("--epochs 0", "--epochs", "'0'")]
    [InlineData("--pretrain-epochs -1", "--pretrain-epochs", "'-1'")]
    [InlineData("--rotate 200", "--rotate", "'200'")]
    [InlineData("--scale 1", "--scale", "'1'")]
    [InlineData("--max-shift nan", "--max-shift", "'nan'")]
    [InlineData("--warmup-seconds -1", "--warmup-seconds", "'-1'")]
    [InlineData("--digits 0", "--digits", "'0'")]
    [InlineData("--threads 0", "--threads", "'0'")]
    public void BadOption_OneErrorLineNamingIt_Exit2_BeforeTheData(string args, params string[] mentions)
    {
        SampleRun run = SampleProgram.Run(Sample, args.Split(' '));
        SampleProgram.AssertError(run, 2, mentions);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public void MissingFashionFolder_NamesItAndHowToInstall_Exit3()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        string missing = temp.File("fashion");
        SampleProgram.AssertError(SampleProgram.Run(Sample, ["--fashion", missing]), 3, "--fashion", missing, "apt-get install");
    }

    [Fact]
    public void MissingDigitsFolder_NamesIt_Exit3()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        string missing = temp.File("digits");
        SampleRun run = SampleProgram.Run(Sample, ["--fashion", SampleProgram.DigitsFolder, "--data", missing, "--pretrained", SampleProgram.LeNetCheckpoint]);
        SampleProgram.AssertError(run, 3, "--data", missing);
    }

    [Fact]
    public void CorruptPretrainedCheckpoint_NamesIt_Exit3()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        string corrupt = temp.File("corrupt.safetensors");
        File.WriteAllText(corrupt, "not a checkpoint at all");
        SampleRun run = SampleProgram.Run(Sample, ["--fashion", SampleProgram.DigitsFolder, "--pretrained", corrupt]);
        SampleProgram.AssertError(run, 3, corrupt);
        Assert.DoesNotContain("pretrain epoch", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void TooManyDigits_NamesTheOptionsAndTheCount_Exit2_BeforePretraining()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        SampleRun run = SampleProgram.Run(Sample, ["--fashion", SampleProgram.DigitsFolder, "--digits", "5000", "--subsets", "2", "--save", temp.File("pretrained.safetensors")]);
        SampleProgram.AssertError(run, 2, "--digits", "--subsets", "8000");
        Assert.DoesNotContain("pretrain", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--save")]
    [InlineData("--plot")]
    public void OutputIntoAMissingFolder_NamesTheOptionAndThePath_Exit2_BeforeTheData(string option)
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        string path = Path.Combine(temp.Path, "no-such-folder", "out.file");
        SampleRun run = SampleProgram.Run(Sample, ["--fashion", SampleProgram.DigitsFolder, option, path], workingDirectory: temp.Path);
        SampleProgram.AssertError(run, 2, option, path);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public void Verbose_AlsoPrintsTheStackTrace()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        SampleProgram.AssertStackTrace(SampleProgram.Run(Sample, ["--fashion", temp.File("fashion"), "--verbose"]), 3);
    }
}
