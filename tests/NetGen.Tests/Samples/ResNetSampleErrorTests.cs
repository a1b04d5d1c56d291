using Xunit;

namespace NetGen.Tests.Samples;

/// <summary>
/// samples/ResNet, run as a user runs it: its options are the LeNet sample's (samples/Common/ImageTraining, checked
/// there case by case), so these check that the ResNet sample wires them and its network the same way: a bad
/// option exits 2 before the data (and LeNet's own --dropout is not one of them), a checkpoint of another network
/// exits 3 naming the file and the tensors.
/// </summary>
public sealed class ResNetSampleErrorTests
{
    private const string Sample = "ResNet";

    [Theory]
    [InlineData("--batch 0", "--batch", "'0'")]
    [InlineData("--lr nan", "--lr", "'nan'")]
    [InlineData("--optimizer rmsprop", "--optimizer", "'rmsprop'")]
    [InlineData("--schedule linear", "--schedule", "'linear'")]
    [InlineData("--dropout 0.5", "'--dropout'")]
    public void BadOption_OneErrorLineNamingIt_Exit2_BeforeTheData(string args, params string[] mentions)
    {
        SampleRun run = SampleProgram.Run(Sample, args.Split(' '));
        SampleProgram.AssertError(run, 2, mentions);
        SampleProgram.AssertNoDataLoaded(run);
    }

    [Fact]
    public void LeNetCheckpoint_NamesTheFileAndTheTensors_Exit3()
    {
        // LeNet-5's conv1.weight is [6, 1, 5, 5]; ResNet-8's is [16, 1, 3, 3], and ResNet-8 has BatchNorm tensors LeNet-5 lacks.
        SampleRun run = SampleProgram.Run(Sample, ["--load", SampleProgram.LeNetCheckpoint, "--epochs", "0"]);
        SampleProgram.AssertError(run, 3, SampleProgram.LeNetCheckpoint, "conv1.weight", "bn1.weight");
        SampleProgram.AssertNoDataLoaded(run);
    }
}
