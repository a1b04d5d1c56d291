using System;
using System.Collections.Generic;
using System.IO;
using Xunit;

namespace NetGen.Tests.Samples;

/// <summary>
/// samples/LeNet, run as a user runs it, given bad input: each case prints exactly one line <c>error: ...</c>
/// that names the option or file, no stack trace, and exits with the documented code (2 bad option, 3 bad input
/// file, 4 diverged); every case stops before training, most before the data is read.
/// </summary>
public sealed class LeNetSampleErrorTests
{
    private const string Sample = "LeNet";

    [Theory]
    [InlineData("--batch 0", "--batch", "'0'")]
    [InlineData("--epochs -1", "--epochs", "'-1'")]
    [InlineData("--warmup -5", "--warmup", "'-5'")]
    [InlineData("--lr abc", "--lr", "'abc'")]
    [InlineData("--lr nan", "--lr", "'nan'")]
    [InlineData("--lr -Infinity", "--lr", "'-Infinity'")]
    [InlineData("--lr -0.1", "--lr", "'-0.1'")]
    [InlineData("--clip 0", "--clip", "'0'")]
    [InlineData("--clip -1", "--clip", "'-1'")]
    [InlineData("--clip nan", "--clip", "'nan'")]
    [InlineData("--threads 0", "--threads", "'0'")]
    [InlineData("--momentum 1", "--momentum", "'1'")]
    [InlineData("--momentum nan", "--momentum", "'nan'")]
    [InlineData("--weight-decay -1", "--weight-decay", "'-1'")]
    [InlineData("--weight-decay Infinity", "--weight-decay", "'Infinity'")]
    [InlineData("--dropout 0.3", "--dropout", "0.3")]
    [InlineData("--dropout nan", "--dropout", "'nan'")]
    [InlineData("--patience 0", "--patience", "'0'")]
    [InlineData("--patience x", "--patience", "'x'")]
    [InlineData("--shifts -1", "--shifts", "'-1'")]
    [InlineData("--validation 0 --patience 2", "--validation", "'0'")]
    [InlineData("--optimizer rmsprop", "--optimizer", "'rmsprop'")]
    [InlineData("--schedule linear", "--schedule", "'linear'")]
    [InlineData("--device tpu", "--device", "'tpu'")]
    [InlineData("--epochs", "--epochs")]
    [InlineData("--no-such-option", "'--no-such-option'")]
    public void BadOption_OneErrorLineNamingIt_Exit2_BeforeTheData(string args, params string[] mentions)
    {
        SampleRun run = SampleProgram.Run(Sample, args.Split(' '));
        SampleProgram.AssertError(run, 2, mentions);
        SampleProgram.AssertNoDataLoaded(run);
    }

    [Fact]
    public void ValidationNotBelowTheTrainingImages_NamesTheOptionAndTheCount_Exit2_BeforeTraining()
    {
        // The shipped digits: 8,000 training images.
        SampleRun run = SampleProgram.Run(Sample, ["--patience", "2", "--validation", "9000"]);
        SampleProgram.AssertError(run, 2, "--validation", "9000", "8000");
        Assert.DoesNotContain("epoch", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--save")]
    [InlineData("--plot")]
    public void OutputIntoAMissingFolder_NamesTheOptionAndThePathGiven_Exit2_BeforeTheData(string option)
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        string path = Path.Combine(temp.Path, "no-such-folder", "out.file");
        SampleRun run = SampleProgram.Run(Sample, [option, path, "--epochs", "1"]);
        SampleProgram.AssertError(run, 2, option, path);
        SampleProgram.AssertNoDataLoaded(run);
        Assert.DoesNotContain(".tmp", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void SaveOntoAFolder_NamesTheOptionAndThePath_Exit2()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        SampleRun run = SampleProgram.Run(Sample, ["--save", temp.Path, "--epochs", "1"]);
        SampleProgram.AssertError(run, 2, "--save", temp.Path);
        SampleProgram.AssertNoDataLoaded(run);
    }

    [Fact]
    public void MissingDataFolder_NamesIt_Exit3()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        string missing = Path.Combine(temp.Path, "no-digits-here");
        SampleProgram.AssertError(SampleProgram.Run(Sample, ["--data", missing]), 3, "--data", missing);
    }

    [Fact]
    public void TruncatedIdxFile_NamesIt_Exit3()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        string images = SampleProgram.TruncatedDigits(temp.File("digits"));
        SampleProgram.AssertError(SampleProgram.Run(Sample, ["--data", Path.GetDirectoryName(images)!]), 3, "--data", images, "truncated");
    }

    [Fact]
    public void DataOfAnotherImageSize_NamesTheOptionAndTheFolder_Exit3()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        string folder = temp.File("tiny");
        Directory.CreateDirectory(folder);
        WriteIdxImages(Path.Combine(folder, "train-images-idx3-ubyte"), count: 4, side: 8);
        WriteIdxImages(Path.Combine(folder, "t10k-images-idx3-ubyte"), count: 2, side: 8);
        WriteIdxLabels(Path.Combine(folder, "train-labels-idx1-ubyte"), count: 4);
        WriteIdxLabels(Path.Combine(folder, "t10k-labels-idx1-ubyte"), count: 2);
        SampleProgram.AssertError(SampleProgram.Run(Sample, ["--data", folder]), 3, "--data", folder);
    }

    [Fact]
    public void MissingCheckpoint_NamesIt_Exit3_BeforeTheData()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        string missing = temp.File("missing.safetensors");
        SampleRun run = SampleProgram.Run(Sample, ["--load", missing, "--epochs", "0"]);
        SampleProgram.AssertError(run, 3, missing);
        SampleProgram.AssertNoDataLoaded(run);
    }

    [Fact]
    public void CorruptCheckpoint_NamesIt_Exit3_BeforeTheData()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        string corrupt = temp.File("corrupt.safetensors");
        File.WriteAllBytes(corrupt, [0x10, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'"', (byte)'x', 0, 0, 0, 0, 0]);
        SampleRun run = SampleProgram.Run(Sample, ["--load", corrupt, "--epochs", "0"]);
        SampleProgram.AssertError(run, 3, corrupt);
        SampleProgram.AssertNoDataLoaded(run);
    }

    [Fact]
    public void CheckpointOfAnotherNetwork_OneLine_Exit3()
    {
        // A plain LeNet-5 checkpoint has no batch-norm tensors: 16 problems, on one line.
        SampleRun run = SampleProgram.Run(Sample, ["--load", SampleProgram.LeNetCheckpoint, "--batchnorm", "--epochs", "0"]);
        SampleProgram.AssertError(run, 3, SampleProgram.LeNetCheckpoint, "bn1.weight", "--verbose");
    }

    [Fact]
    public void DivergingTraining_OneErrorLine_Exit4()
    {
        SampleRun run = SampleProgram.Run(Sample, ["--lr", "1e30", "--epochs", "1", "--threads", "1"]);
        SampleProgram.AssertError(run, 4, "diverged");
    }

    [Fact]
    public void Verbose_AddsTheStackTrace()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        string missing = Path.Combine(temp.Path, "no-digits-here");
        SampleProgram.AssertStackTrace(SampleProgram.Run(Sample, ["--data", missing, "--verbose"]), 3);
    }

    [Fact]
    public void VerboseVariable_AddsTheStackTrace()
    {
        using TemporaryFolder temp = SampleProgram.TemporaryFolder();
        string missing = Path.Combine(temp.Path, "no-digits-here");
        var environment = new Dictionary<string, string> { ["NETGEN_VERBOSE"] = "1" };
        SampleProgram.AssertStackTrace(SampleProgram.Run(Sample, ["--data", missing], environment: environment), 3);
    }

    [Fact]
    public void Help_DocumentsVerboseAndTheExitCodes()
    {
        SampleRun run = SampleProgram.Run(Sample, ["--help"]);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--verbose", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("NETGEN_VERBOSE=1", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("3 bad input file", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void EvaluatingACheckpoint_StillWorks()
    {
        SampleRun run = SampleProgram.Run(Sample, ["--load", SampleProgram.LeNetCheckpoint, "--epochs", "0"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("test accuracy: 0.9", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(run.Stderr);
    }

    /// <summary>Issue 11's case: an SGD checkpoint under --optimizer adam loads its weights and starts Adam fresh, and says so.</summary>
    [Fact]
    public void CheckpointOfAnotherOptimizer_LoadsTheWeights_AndStartsTheOptimizerFresh()
    {
        SampleRun run = SampleProgram.Run(Sample, ["--optimizer", "adam", "--load", SampleProgram.LeNetCheckpoint, "--epochs", "0"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("optimizer state: started fresh (the file's is of 'sgd', this optimizer is 'adam')", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("test accuracy: 0.98", run.Stdout, StringComparison.Ordinal);
        Assert.Empty(run.Stderr);
    }

    private static void WriteIdxImages(string path, int count, int side)
    {
        byte[] file = new byte[16 + (count * side * side)];
        file[2] = 0x08;
        file[3] = 3;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(4), count);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(8), side);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(12), side);
        File.WriteAllBytes(path, file);
    }

    private static void WriteIdxLabels(string path, int count)
    {
        byte[] file = new byte[8 + count];
        file[2] = 0x08;
        file[3] = 1;
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(file.AsSpan(4), count);
        File.WriteAllBytes(path, file);
    }
}
