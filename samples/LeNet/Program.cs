// Trains LeNet-5 on MNIST-layout IDX data (by default the 10,000 real digits that ship in samples/data)
// and prints one line per epoch, then the test accuracy. Options choose the optimizer, regularization,
// schedule and early stopping, save and load safetensors checkpoints, and print a classification report
// (the shared ones in samples/Common/ImageTraining; --dropout and --batchnorm pick the network here).
using System.CommandLine;
using System.Globalization;
using LeNet;
using NetGen;
using NetGen.Samples;

var (sample, root) = ImageClassifierSample.Create(
    "Train LeNet-5, compiled by NetGen, on MNIST-layout data.",
    new ImageClassifierSample.Defaults(Epochs: 20, Batch: 64, Optimizer: "sgd", SgdRate: 0.02f, AdamRate: 1e-3f, Schedule: "constant"));
var dropout = SampleOptions.Float("--dropout", "Dropout before the last two dense layers: 0 or 0.5 (the rate is compiled into the network).", 0f, Bounds.From(0, 1));
var batchNorm = new Option<bool>("--batchnorm") { Description = "Batch normalization after every convolution and hidden dense layer." };
root.Options.Add(dropout);
root.Options.Add(batchNorm);
return SampleMain.Run(root, args, parsed =>
{
    float rate = parsed.GetValue(dropout);
    if (rate != 0f && rate != 0.5f)
    {
        throw new OptionException("--dropout", string.Create(CultureInfo.InvariantCulture,
            $"expected 0 or 0.5, got '{rate}': the sample compiles LeNet-5 with Dropout(0.5); add a network with another rate to RegularizedLeNet5.cs"));
    }

    int seed = sample.Seed(parsed);
    INetwork net = (parsed.GetValue(batchNorm), rate > 0f) switch
    {
        (false, false) => new LeNet5(seed),
        (false, true) => new LeNet5Dropout(seed),
        (true, false) => new LeNet5BatchNorm(seed),
        (true, true) => new LeNet5BatchNormDropout(seed),
    };
    return sample.Run(parsed, net);
});
