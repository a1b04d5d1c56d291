using System;
using System.Collections.Generic;
using System.IO;
using NetGen.Tests.BatchNorm;
using NetGen.Tests.Checkpoints;
using Xunit;

namespace NetGen.Tests.Training;

/// <summary>
/// Every bad training option is refused before any work: the error names the property and what it accepts, and
/// the network is not touched (no epoch runs, no callback fires, every weight keeps its bits).
/// </summary>
[Collection(TrainingRunsAlone.Name)]
public class FitArgumentsTests
{
    private static readonly Dataset Data = ToyData.Clusters(24, 5, 12, seed: 5);

    private static readonly TrainingOptions Good = new() { Epochs = 2, BatchSize = 8 };

    public static TheoryData<string, string> BadOptions => new()
    {
        { "Epochs -1", "TrainingOptions.Epochs: expected ≥ 0 (the last epoch to run), got -1." },
        { "StartEpoch -1", "TrainingOptions.StartEpoch: expected 0 ≤ StartEpoch ≤ Epochs (2; Epochs is the last epoch, not a count of more epochs), got -1." },
        { "StartEpoch 3", "TrainingOptions.StartEpoch: expected 0 ≤ StartEpoch ≤ Epochs (2; Epochs is the last epoch, not a count of more epochs), got 3." },
        { "BatchSize 0", "TrainingOptions.BatchSize: expected ≥ 1, got 0." },
        { "MaxGradientNorm 0", "TrainingOptions.MaxGradientNorm: expected > 0 (or +∞ to measure without clipping, or null for none), got 0." },
        { "MaxGradientNorm -1", "TrainingOptions.MaxGradientNorm: expected > 0 (or +∞ to measure without clipping, or null for none), got -1." },
        { "MaxGradientNorm NaN", "TrainingOptions.MaxGradientNorm: expected > 0 (or +∞ to measure without clipping, or null for none), got NaN." },
        { "MaxGradientNorm -inf", "TrainingOptions.MaxGradientNorm: expected > 0 (or +∞ to measure without clipping, or null for none), got -Infinity." },
        { "Loss null", "TrainingOptions.Loss: expected a loss, got null." },
        { "FrozenLayers unknown", "TrainingOptions.FrozenLayers: 'dense9' is not a layer of the network; expected one of dense1, bn1, tanh1, dense2." },
        { "Multiplier unknown", "TrainingOptions.LearningRateMultipliers: 'conv1' is not a layer of the network; expected one of dense1, bn1, tanh1, dense2." },
        { "Multiplier NaN", "TrainingOptions.LearningRateMultipliers: the multiplier of 'dense1' must be finite and ≥ 0; got NaN." },
        { "Multiplier -1", "TrainingOptions.LearningRateMultipliers: the multiplier of 'dense1' must be finite and ≥ 0; got -1." },
        { "Multiplier +inf", "TrainingOptions.LearningRateMultipliers: the multiplier of 'dense1' must be finite and ≥ 0; got Infinity." },
        { "TrainLastLayers 4", "TrainingOptions.TrainLastLayers: expected 0 ≤ TrainLastLayers ≤ 3 (the layers with parameters), got 4." },
        { "TrainLastLayers -1", "TrainingOptions.TrainLastLayers: expected 0 ≤ TrainLastLayers ≤ 3 (the layers with parameters), got -1." },
        { "EarlyStopping without validation", "TrainingOptions.EarlyStopping watches the validation set; pass one." },
        { "CheckpointPath missing folder", "TrainingOptions.CheckpointPath: cannot write '{dir}/absent/run.safetensors': the folder '{dir}/absent' does not exist." },
        { "CheckpointPath a folder", "TrainingOptions.CheckpointPath: cannot write '{dir}': it is a folder; expected a file path." },
        { "CheckpointPath empty", "TrainingOptions.CheckpointPath: cannot write '': expected a file path, got an empty string." },
    };

    private static TrainingOptions Options(string bad, string dir) => bad switch
    {
        "Epochs -1" => Good with { Epochs = -1 },
        "StartEpoch -1" => Good with { StartEpoch = -1 },
        "StartEpoch 3" => Good with { StartEpoch = 3 },
        "BatchSize 0" => Good with { BatchSize = 0 },
        "MaxGradientNorm 0" => Good with { MaxGradientNorm = 0f },
        "MaxGradientNorm -1" => Good with { MaxGradientNorm = -1f },
        "MaxGradientNorm NaN" => Good with { MaxGradientNorm = float.NaN },
        "MaxGradientNorm -inf" => Good with { MaxGradientNorm = float.NegativeInfinity },
        "Loss null" => Good with { Loss = null! },
        "FrozenLayers unknown" => Good with { FrozenLayers = ["dense9"] },
        "Multiplier unknown" => Good with { LearningRateMultipliers = new Dictionary<string, float> { ["conv1"] = 1f } },
        "Multiplier NaN" => Good with { LearningRateMultipliers = new Dictionary<string, float> { ["dense1"] = float.NaN } },
        "Multiplier -1" => Good with { LearningRateMultipliers = new Dictionary<string, float> { ["dense1"] = -1f } },
        "Multiplier +inf" => Good with { LearningRateMultipliers = new Dictionary<string, float> { ["dense1"] = float.PositiveInfinity } },
        "TrainLastLayers 4" => Good with { TrainLastLayers = 4 },
        "TrainLastLayers -1" => Good with { TrainLastLayers = -1 },
        "EarlyStopping without validation" => Good with { EarlyStopping = new EarlyStopping(2) },
        "CheckpointPath missing folder" => Good with { CheckpointPath = Path.Combine(dir, "absent", "run.safetensors") },
        "CheckpointPath a folder" => Good with { CheckpointPath = dir },
        "CheckpointPath empty" => Good with { CheckpointPath = "" },
        _ => throw new ArgumentException(bad, nameof(bad)),
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void A_bad_option_is_refused_before_any_work_naming_the_property(string bad, string message)
    {
        string dir = Directory.CreateTempSubdirectory("netgen-fit-args-").FullName;
        try
        {
            var network = new BnMlp(1);
            int[] parameters = CheckpointFiles.Bits(network.Parameters), buffers = CheckpointFiles.Bits(network.Buffers);
            int epochs = 0;
            using var trainer = new Trainer(network, new Sgd(0.1f, momentum: 0.9f), 1);
            Exception error = Assert.ThrowsAny<Exception>(() => trainer.Fit(Data, null, Options(bad, dir) with { OnEpoch = _ => epochs++ }));

            Assert.True(error is ArgumentException or IOException, error.ToString());
            Assert.StartsWith(message.Replace("{dir}", dir, StringComparison.Ordinal), error.Message, StringComparison.Ordinal);
            Assert.Equal(0, epochs);
            Assert.Equal(0, trainer.Optimizer.StepCount);
            Assert.Equal(parameters, CheckpointFiles.Bits(network.Parameters));
            Assert.Equal(buffers, CheckpointFiles.Bits(network.Buffers));
            Assert.Empty(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Infinity_as_MaxGradientNorm_measures_without_clipping_and_trains()
    {
        using var trainer = new Trainer(new BnMlp(1), new Sgd(0.1f), 1);
        trainer.Fit(Data, null, Good with { MaxGradientNorm = float.PositiveInfinity });
        Assert.Equal(6, trainer.Optimizer.StepCount);
    }

    [Fact]
    public void StartEpoch_equal_to_Epochs_trains_nothing_and_is_allowed()
    {
        using var trainer = new Trainer(new BnMlp(1), new Sgd(0.1f), 1);
        Assert.Empty(trainer.Fit(Data, null, Good with { StartEpoch = 2 }).Epochs);
    }

    [Theory]
    [InlineData(9000, "Split: expected 0 ≤ count ≤ 8000 (the dataset's size), got 9000.")]
    [InlineData(-1000, "Split: expected 0 ≤ count ≤ 8000 (the dataset's size), got -1000.")]
    public void Split_out_of_range_names_the_range(int count, string message)
    {
        Dataset data = ToyData.Clusters(8000, 2, 1, seed: 1);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => data.Split(count));
        Assert.Equal("count", error.ParamName);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BadConstructorArguments => new()
    {
        { "WithWarmUp(-5)", "warmUpSteps", "WithWarmUp: expected warmUpSteps ≥ 0" },
        { "Cosine(0)", "totalEpochs", "Cosine: expected totalEpochs ≥ 1" },
        { "Cosine(3, NaN)", "minFactor", "Cosine: expected 0 ≤ minFactor ≤ 1" },
        { "StepDecay(0, 0.5)", "everyEpochs", "StepDecay: expected everyEpochs ≥ 1" },
        { "StepDecay(1, +inf)", "gamma", "StepDecay: expected gamma finite and > 0" },
        { "EarlyStopping(0)", "patience", "EarlyStopping: expected patience ≥ 1" },
        { "EarlyStopping(2, NaN)", "minDelta", "EarlyStopping: expected minDelta finite and ≥ 0" },
        { "Sgd(NaN)", "learningRate", "The learning rate must be finite and ≥ 0" },
        { "Sgd(momentum NaN)", "momentum", "Momentum must be in [0, 1)" },
        { "Sgd(weightDecay -inf)", "weightDecay", "The weight decay must be finite and ≥ 0" },
        { "Adam(+inf)", "learningRate", "The learning rate must be finite and ≥ 0" },
        { "Adam(beta1 NaN)", "beta1", "'beta1' must be in [0, 1)" },
        { "Adam(beta2 1)", "beta2", "'beta2' must be in [0, 1)" },
        { "Adam(eps 0)", "epsilon", "Epsilon must be finite and > 0" },
        { "AdamW(weightDecay NaN)", "weightDecay", "The weight decay must be finite and ≥ 0" },
    };

    [Theory]
    [MemberData(nameof(BadConstructorArguments))]
    public void A_bad_schedule_or_optimizer_argument_names_it_and_its_range(string call, string parameter, string message)
    {
        Func<object> make = call switch
        {
            "WithWarmUp(-5)" => () => LearningRateSchedule.Constant().WithWarmUp(-5),
            "Cosine(0)" => () => LearningRateSchedule.Cosine(0),
            "Cosine(3, NaN)" => () => LearningRateSchedule.Cosine(3, float.NaN),
            "StepDecay(0, 0.5)" => () => LearningRateSchedule.StepDecay(0, 0.5f),
            "StepDecay(1, +inf)" => () => LearningRateSchedule.StepDecay(1, float.PositiveInfinity),
            "EarlyStopping(0)" => () => new EarlyStopping(0),
            "EarlyStopping(2, NaN)" => () => new EarlyStopping(2, float.NaN),
            "Sgd(NaN)" => () => new Sgd(float.NaN),
            "Sgd(momentum NaN)" => () => new Sgd(0.1f, float.NaN),
            "Sgd(weightDecay -inf)" => () => new Sgd(0.1f, 0f, float.NegativeInfinity),
            "Adam(+inf)" => () => new Adam(float.PositiveInfinity),
            "Adam(beta1 NaN)" => () => new Adam(0.1f, beta1: float.NaN),
            "Adam(beta2 1)" => () => new Adam(0.1f, beta2: 1f),
            "Adam(eps 0)" => () => new Adam(0.1f, epsilon: 0f),
            "AdamW(weightDecay NaN)" => () => new AdamW(0.1f, weightDecay: float.NaN),
            _ => throw new ArgumentException(call, nameof(call)),
        };
        var error = Assert.Throws<ArgumentOutOfRangeException>(make);
        Assert.Equal(parameter, error.ParamName);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }
}
