using System;

namespace NetGen.Benchmarks;

/// <summary>
/// The NetGen side: the generated LeNet-5 on its default kernel path (the widest the CPU accelerates),
/// trained by NetGen's <see cref="Trainer"/> on <see cref="SideSettings.Threads"/> threads; batched inference
/// runs on the trainer's workers, batch-1 inference is one <c>Predict</c> call on the calling thread.
/// </summary>
internal sealed class NetGenSide : IBenchmarkSide
{
    private NetGenLeNet5? _net;
    private Trainer? _trainer;
    private Dataset? _train;
    private Dataset? _test;
    private readonly float[] _logits = new float[NetGenLeNet5.OutputSize];

    public string Name => "netgen";

    public string Title => "NetGen";

    public string Setup(Dataset train, Dataset test, SideSettings settings)
    {
        _train = train;
        _test = test;
        _net = new NetGenLeNet5(settings.Seed);
        IOptimizer optimizer = settings.Optimizer == "adamw"
            ? new AdamW(SideSettings.AdamWLearningRate, weightDecay: SideSettings.AdamWWeightDecay)
            : new Sgd(SideSettings.SgdLearningRate, SideSettings.SgdMomentum);
        _trainer = new Trainer(_net, optimizer, settings.Threads);
        return $"NetGen generated LeNet-5, kernel path {Kernels.Resolve(_net.KernelPath)}, {settings.Threads} threads, {settings.DescribeOptimizer()}";
    }

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
