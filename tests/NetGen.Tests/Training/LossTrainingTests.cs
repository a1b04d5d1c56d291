using System;
using System.Linq;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>Binary classification: a trailing sigmoid, which binary cross-entropy fuses (the logits sit before it).</summary>
[Network, Input(2)]
[Dense(8), Tanh]
[Dense(1), Sigmoid]
public partial class BinaryNet;

/// <summary>Linear regression: one Dense, no activation.</summary>
[Network, Input(3)]
[Dense(1)]
public partial class LinearRegression;

[Collection(TrainingRunsAlone.Name)]
public class LossTrainingTests
{
    [Fact]
    public void A_sigmoid_network_trains_with_binary_cross_entropy_and_predicts_probabilities()
    {
        // Two Gaussian-ish blobs at (±1, ±1): label 1 when x + y > 0.
        var rng = new Rng(3);
        const int n = 400;
        var features = new float[n * 2];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 2;
            float centre = labels[i] == 1 ? 1f : -1f;
            features[2 * i] = centre + (rng.NextFloat() - 0.5f);
            features[(2 * i) + 1] = centre + (rng.NextFloat() - 0.5f);
        }

        var data = new Dataset(features, labels, [2], 2);
        var net = new BinaryNet(1);
        Assert.True(((INetwork)net).EndsWithSigmoid);
        using var trainer = new Trainer(net, new Adam(0.05f), 2);
        TrainingHistory history = trainer.Fit(data, data, new TrainingOptions { Epochs = 5, BatchSize = 32, Loss = new BinaryCrossEntropyWithLogitsLoss() });
        Assert.True(history.Last!.ValidationAccuracy > 0.98f, $"accuracy {history.Last.ValidationAccuracy}");
        Assert.True(history.Last.TrainingLoss < history.Epochs[0].TrainingLoss);

        // Predict gives σ(logit): the sigmoid layer runs in evaluation; the loss saw the logit below it.
        var workspace = new float[BinaryNet.WorkspaceSize];
        var output = new float[1];
        float[] x = [0.7f, 0.9f];
        net.Forward(x, workspace, training: false, 0);
        net.Predict(x, output);
        float logit = workspace[BinaryNet.LogitsOffset];
        Assert.Equal(1.0 / (1.0 + Math.Exp(-logit)), output[0], 1e-6);
        Assert.True(output[0] > 0.9f);
    }

    [Fact]
    public void Mean_squared_error_fits_a_linear_function_from_float_targets()
    {
        var rng = new Rng(5);
        const int n = 256;
        var features = new float[n * 3];
        var targets = new float[n];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < 3; k++)
            {
                features[(3 * i) + k] = (2f * rng.NextFloat()) - 1f;
            }

            targets[i] = (2f * features[3 * i]) - features[(3 * i) + 1] + (0.5f * features[(3 * i) + 2]) + 0.25f;
        }

        var data = new Dataset(features, new int[n], [3], 1, targets: targets);
        var net = new LinearRegression(1);
        using var trainer = new Trainer(net, new Adam(0.05f), 1);
        trainer.Fit(data, null, new TrainingOptions { Epochs = 60, BatchSize = 32, Loss = new MeanSquaredErrorLoss() });
        float[] w = net.Dense1.Weights.ToArray();
        Assert.Equal(2.0, w[0], 0.02);
        Assert.Equal(-1.0, w[1], 0.02);
        Assert.Equal(0.5, w[2], 0.02);
        Assert.Equal(0.25, net.Dense1.Bias[0], 0.02);
    }
}
