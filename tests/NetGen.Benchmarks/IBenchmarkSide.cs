using System;
using System.Collections.Generic;

namespace NetGen.Benchmarks;

/// <summary>
/// One contender of the side-by-side benchmark: the same network (<see cref="BenchModel"/>), trained and run by one library.
/// </summary>
/// <remarks>
/// The harness (<see cref="Harness"/>) owns the clock, the data order, the warm-ups and the statistics, so every
/// side is measured by exactly the same code; a side only does the model work, in the way a user of its library
/// would write it. Each side runs in a child process of its own (so its peak RSS is its own), and one instance
/// sees these calls in this order: <see cref="Setup"/>, <see cref="TrainBatch"/> (warm-up, then the measured
/// pass), <see cref="PredictBatch"/> (accuracy, warm-up, measured passes), <see cref="PredictOne"/> (warm-up,
/// measured calls), <see cref="IDisposable.Dispose"/>.
/// </remarks>
internal interface IBenchmarkSide : IDisposable
{
    /// <summary>The value of <c>--side</c> / <c>--sides</c> that selects this side, e.g. <c>torch</c>.</summary>
    string Name { get; }

    /// <summary>The column header of the result table, e.g. <c>TorchSharp</c>.</summary>
    string Title { get; }

    /// <summary>False for an inference-only side: the harness skips <see cref="TrainBatch"/> and its accuracy means nothing.</summary>
    bool Trains => true;

    /// <summary>
    /// Builds the network <see cref="SideSettings.Model"/> (LeNet-5, ResNet-8 or the stride-2 CNN; He-normal weights before ReLUs,
    /// Glorot-uniform for the last layer, zero biases, BatchNorm at 1 and 0), the optimizer named by <see cref="SideSettings.Optimizer"/>, and whatever
    /// copies of the data the library needs; limits the library to <see cref="SideSettings.Threads"/> threads.
    /// </summary>
    /// <param name="train">The training set (samples [1, 28, 28], pixels in [0, 1]).</param>
    /// <param name="test">The test set, same layout.</param>
    /// <param name="settings">Threads, optimizer and seed.</param>
    /// <returns>One line describing the library and its version, for the report.</returns>
    string Setup(Dataset train, Dataset test, SideSettings settings);

    /// <summary>
    /// One optimizer step of softmax cross-entropy on the training samples <paramref name="trainIndices"/>
    /// (gather the batch, forward, loss, backward, update), in training mode.
    /// </summary>
    /// <param name="trainIndices">Indices into the training set; 1 to <see cref="SideSettings.BatchSize"/> of them.</param>
    /// <returns>The batch's mean loss before the update.</returns>
    float TrainBatch(ReadOnlySpan<int> trainIndices);

    /// <summary>
    /// Inference in evaluation mode without gradient tracking on the test samples
    /// [<paramref name="firstTest"/>, <paramref name="firstTest"/> + <paramref name="count"/>), as one batch.
    /// </summary>
    /// <param name="firstTest">First test sample.</param>
    /// <param name="count">Batch size, 1 to <see cref="SideSettings.BatchSize"/>.</param>
    /// <param name="predictedClasses">Receives the arg-max class of each sample; <paramref name="count"/> long.</param>
    void PredictBatch(int firstTest, int count, Span<int> predictedClasses);

    /// <summary>Batch-1 inference (evaluation mode, no gradients) of one test sample.</summary>
    /// <param name="testIndex">The test sample.</param>
    /// <returns>Its arg-max class.</returns>
    int PredictOne(int testIndex);
}

/// <summary>What every side is told to use.</summary>
/// <param name="Threads">Worker threads (the library's intra-op threads; NetGen's trainer threads).</param>
/// <param name="Optimizer"><c>adamw</c> (lr 1e-3, weight decay 5e-4) or <c>sgd</c> (lr 0.05, momentum 0.9).</param>
/// <param name="BatchSize">Training and inference batch size (64).</param>
/// <param name="Seed">Seed of the weight initialisation.</param>
/// <param name="Model">The network.</param>
internal sealed record SideSettings(int Threads, string Optimizer, int BatchSize, int Seed, BenchModel Model)
{
    /// <summary>AdamW learning rate.</summary>
    public const float AdamWLearningRate = 1e-3f;

    /// <summary>AdamW decoupled weight decay.</summary>
    public const float AdamWWeightDecay = 5e-4f;

    /// <summary>SGD learning rate.</summary>
    public const float SgdLearningRate = 0.05f;

    /// <summary>SGD momentum.</summary>
    public const float SgdMomentum = 0.9f;

    /// <summary>The accepted values of <see cref="Optimizer"/>.</summary>
    public static IReadOnlyList<string> Optimizers { get; } = ["adamw", "sgd"];

    /// <summary>The optimizer and its hyper-parameters, for the report.</summary>
    public string DescribeOptimizer() => Optimizer == "sgd"
        ? $"SGD lr {SgdLearningRate} momentum {SgdMomentum}"
        : $"AdamW lr {AdamWLearningRate:0.###e0} weight decay {AdamWWeightDecay:0.###e0}";
}

/// <summary>The sides the harness knows, by <see cref="IBenchmarkSide.Name"/>.</summary>
internal static class Sides
{
    /// <summary>All side names, in table column order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["netgen", "torch", "onnx"];

    /// <summary>The column header of a side.</summary>
    public static string Title(string name) => name switch
    {
        "netgen" => "NetGen",
        "torch" => "TorchSharp",
        "onnx" => "ONNX Runtime",
        _ => name,
    };

    /// <summary>Creates the side called <paramref name="name"/>.</summary>
    public static IBenchmarkSide Create(string name) => name switch
    {
        "netgen" => new NetGenSide(),
        "torch" => new TorchSide(),
        "onnx" => new OnnxSide(),
        _ => throw new ArgumentException($"Unknown side '{name}'; expected one of: {string.Join(", ", Names)}.", nameof(name)),
    };
}
