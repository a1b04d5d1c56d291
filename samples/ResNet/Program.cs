// Trains ResNet-8 (ResNet8.cs: a stem, three basic blocks with skip connections, global average pooling) on
// MNIST-layout IDX data, by default the 10,000 real digits that ship in samples/data, and prints one line per epoch,
// then the test accuracy. The options are the LeNet sample's (samples/Common/ImageTraining).
using NetGen.Samples;
using ResNet;

var (sample, root) = ImageClassifierSample.Create(
    "Train ResNet-8, compiled by NetGen, on MNIST-layout data.",
    new ImageClassifierSample.Defaults(Epochs: 10, Batch: 64, Optimizer: "adamw", SgdRate: 0.05f, AdamRate: 2e-3f, Schedule: "cosine"));
return SampleMain.Run(root, args, parsed =>
{
    var net = new ResNet8(sample.Seed(parsed));
    System.Console.WriteLine($"network: ResNet-8, {ResNet8.ParameterCount:N0} parameters, {ResNet8.WorkspaceSize:N0} floats of workspace per image");
    return sample.Run(parsed, net);
});
