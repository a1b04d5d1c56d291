using System;

namespace NetGen.Reference;

/// <summary>The loss a case trains with, by PyTorch's <c>torch.nn.functional</c> name (mean reduction).</summary>
internal enum LossKind
{
    CrossEntropy,
    BinaryCrossEntropyWithLogits,
    MseLoss,
}

/// <summary>An optimizer and its hyper-parameters; <see cref="Describe"/> is written into the file and checked by the tests.</summary>
internal sealed record OptimizerSpec(string Kind, double LearningRate, double Momentum = 0, bool Nesterov = false, double WeightDecay = 0, double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8)
{
    public string Describe() => Kind switch
    {
        "sgd" => FormattableString.Invariant($"sgd lr={LearningRate} momentum={Momentum} nesterov={Nesterov.ToString().ToLowerInvariant()} weight_decay={WeightDecay}"),
        _ => FormattableString.Invariant($"{Kind} lr={LearningRate} betas=({Beta1}, {Beta2}) eps={Epsilon} weight_decay={WeightDecay}"),
    };
}

/// <summary>
/// One reference case: a network, a batch, a loss, the mode the pass runs in, and optionally an optimizer that
/// takes <see cref="Steps"/> steps on the same batch.
/// </summary>
/// <param name="Name">The file name without extension; the tests find the file by it.</param>
/// <param name="Description">What the case covers (written into the file's metadata).</param>
/// <param name="Network">Builds the TorchSharp network (a new one per call).</param>
/// <param name="Batch">Samples in the batch.</param>
/// <param name="Seed">Seeds weights, inputs, labels and targets.</param>
/// <param name="Loss">The loss.</param>
/// <param name="Training">True: module.train() (BatchNorm uses batch statistics); false: module.eval().</param>
/// <param name="Optimizer">When set, the file also holds the weights after each of <see cref="Steps"/> steps.</param>
internal sealed record ReferenceCase(
    string Name,
    string Description,
    Func<ReferenceNet> Network,
    int Batch,
    ulong Seed,
    LossKind Loss = LossKind.CrossEntropy,
    bool Training = true,
    OptimizerSpec? Optimizer = null)
{
    /// <summary>Optimizer steps recorded (all on the same batch, each from the gradient at the weights before it).</summary>
    public int Steps { get; init; } = 2;

    /// <summary>When above 0, the inputs are token ids in [0, Vocabulary) (as floats, as NetGen reads them), not uniform values.</summary>
    public int Vocabulary { get; init; }
}
