using System;

namespace NetGen.Benchmarks;

/// <summary>
/// The NetGen side: the generated LeNet-5 or ResNet-8 (samples/ResNet's own class) on its default kernel path (the widest the CPU accelerates),
/// trained by NetGen's <see cref="Trainer"/> on <see cref="SideSettings.Threads"/> threads; batched inference
/// runs on the trainer's workers, batch-1 inference is one <c>Predict</c> call on the calling thread.
/// </summary>
internal sealed class NetGenSide : IBenchmarkSide
{
    private INetwork? _net;
    private Trainer? _trainer;
    private Dataset? _train;
    private Dataset? _test;
    private float[] _logits = [];

    public string Name => "netgen";

    public string Title => "NetGen";

    public string Setup(Dataset train, Dataset test, SideSettings settings)
    {
        _train = train;
        _test = test;
        _net = CreateNetwork(settings);
        _logits = new float[_net.OutputSize];
        IOptimizer optimizer = settings.Optimizer == "adamw"
            ? new AdamW(SideSettings.AdamWLearningRate, weightDecay: SideSettings.AdamWWeightDecay)
            : new Sgd(SideSettings.SgdLearningRate, SideSettings.SgdMomentum);
        _trainer = new Trainer(_net, optimizer, settings.Threads);
        return $"NetGen generated {settings.Model.Title}, kernel path {Kernels.Resolve(_net.KernelPath)}, {settings.Threads} threads, {settings.DescribeOptimizer()}";
    }

    /// <summary>The generated network of <see cref="SideSettings.Model"/>, initialised from <see cref="SideSettings.Seed"/>.</summary>
    internal static INetwork CreateNetwork(SideSettings settings) =>
        settings.Model == BenchModel.ResNet ? new global::ResNet.ResNet8(settings.Seed)
        : settings.Model == BenchModel.Strided ? new NetGenStridedCnn(settings.Seed)
        : new NetGenLeNet5(settings.Seed);

    public float TrainBatch(ReadOnlySpan<int> trainIndices) => _trainer!.TrainBatch(_train!, trainIndices);

    public void PredictBatch(int firstTest, int count, Span<int> predictedClasses) =>
        _trainer!.PredictClasses(_test!, firstTest, count, predictedClasses);

    public int PredictOne(int testIndex)
    {
        _net!.Predict(_test!.Sample(testIndex), _logits);
        return Evaluation.ArgMax(_logits);
    }

    public void Dispose() => _trainer?.Dispose();
}
