using System;
using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace NetGen.Benchmarks;

/// <summary>
/// The TorchSharp side: LeNet-5 as an <c>nn.Sequential</c> or ResNet-8 as a module (<see cref="TorchResNet8"/>),
/// trained the way the PyTorch tutorials do it (gather the batch with <c>index_select</c>, <c>zero_grad</c>,
/// forward, <c>cross_entropy</c>, <c>backward</c>, <c>step</c>), each step in a dispose scope so native tensors are
/// freed as they go.
/// </summary>
internal sealed class TorchSide : IBenchmarkSide
{
    private nn.Module<Tensor, Tensor>? _model;
    private optim.Optimizer? _optimizer;
    private Tensor? _trainX, _trainY, _testX;
    private long[] _indexBuffer = [];
    private bool? _training;

    public string Name => "torch";

    public string Title => "TorchSharp";

    public string Setup(Dataset train, Dataset test, SideSettings settings)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(settings);
        torch.set_num_threads(settings.Threads);
        torch.manual_seed(settings.Seed);
        _model = settings.Model == BenchModel.ResNet ? ResNet8() : settings.Model == BenchModel.Strided ? StridedCnn() : LeNet5();

        _optimizer = settings.Optimizer == "sgd"
            ? optim.SGD(_model.parameters(), SideSettings.SgdLearningRate, momentum: SideSettings.SgdMomentum)
            : optim.AdamW(_model.parameters(), SideSettings.AdamWLearningRate, weight_decay: SideSettings.AdamWWeightDecay);

        _trainX = Images(train);
        _trainY = Labels(train);
        _testX = Images(test);
        _indexBuffer = new long[settings.BatchSize];

        string version = typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "?";
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0)
        {
            version = version[..plus];
        }

        return $"TorchSharp {version} (libtorch CPU), {torch.get_num_threads()} intra-op threads, {settings.DescribeOptimizer()}";
    }

    /// <summary>LeNet-5: He-normal weights before every ReLU, Glorot-uniform for the logits layer, zero biases (as NetGen).</summary>
    private static Sequential LeNet5()
    {
        var conv1 = nn.Conv2d(1, 6, 5, padding: 2);
        var conv2 = nn.Conv2d(6, 16, 5);
        var dense1 = nn.Linear(400, 120);
        var dense2 = nn.Linear(120, 84);
        var dense3 = nn.Linear(84, 10);
        using (torch.no_grad())
        {
            // He-normal (fan-in, ReLU gain) for every weight that feeds a ReLU, Glorot-uniform for the logits layer,
            // zero biases: the same scheme as the NetGen side.
            foreach (Tensor w in new[] { conv1.weight!, conv2.weight!, dense1.weight!, dense2.weight! })
            {
                nn.init.kaiming_normal_(w, mode: nn.init.FanInOut.FanIn, nonlinearity: nn.init.NonlinearityType.ReLU);
            }

            nn.init.xavier_uniform_(dense3.weight!);
            foreach (Tensor b in new[] { conv1.bias!, conv2.bias!, dense1.bias!, dense2.bias!, dense3.bias! })
            {
                nn.init.zeros_(b);
            }
        }

        return nn.Sequential(
            ("conv1", conv1), ("relu1", nn.ReLU()), ("pool1", nn.MaxPool2d(2)),
            ("conv2", conv2), ("relu2", nn.ReLU()), ("pool2", nn.MaxPool2d(2)),
            ("flatten", nn.Flatten()),
            ("dense1", dense1), ("relu3", nn.ReLU()),
            ("dense2", dense2), ("relu4", nn.ReLU()),
            ("dense3", dense3));
    }

    /// <summary>The stride-2 CNN (<see cref="StridedCnnShape"/>), initialised as <see cref="LeNet5"/>.</summary>
    private static Sequential StridedCnn()
    {
        var conv1 = nn.Conv2d(1, 16, 3, stride: 2, padding: 1);
        var conv2 = nn.Conv2d(16, 32, 3, stride: 2, padding: 1);
        var dense1 = nn.Linear(1568, 128);
        var dense2 = nn.Linear(128, 10);
        using (torch.no_grad())
        {
            foreach (Tensor w in new[] { conv1.weight!, conv2.weight!, dense1.weight! })
            {
                nn.init.kaiming_normal_(w, mode: nn.init.FanInOut.FanIn, nonlinearity: nn.init.NonlinearityType.ReLU);
            }

            nn.init.xavier_uniform_(dense2.weight!);
            foreach (Tensor b in new[] { conv1.bias!, conv2.bias!, dense1.bias!, dense2.bias! })
            {
                nn.init.zeros_(b);
            }
        }

        return nn.Sequential(
            ("conv1", conv1), ("relu1", nn.ReLU()),
            ("conv2", conv2), ("relu2", nn.ReLU()),
            ("flatten", nn.Flatten()),
            ("dense1", dense1), ("relu3", nn.ReLU()),
            ("dense2", dense2));
    }

    /// <summary>ResNet-8: He-normal convolutions (each feeds a ReLU through BatchNorm), a Glorot-uniform head with a zero bias, BatchNorm at 1 and 0 (as NetGen).</summary>
    private static TorchResNet8 ResNet8()
    {
        var model = new TorchResNet8();
        using (torch.no_grad())
        {
            foreach (Tensor w in model.ConvolutionWeights)
            {
                nn.init.kaiming_normal_(w, mode: nn.init.FanInOut.FanIn, nonlinearity: nn.init.NonlinearityType.ReLU);
            }

            nn.init.xavier_uniform_(model.Head.weight!);
            nn.init.zeros_(model.Head.bias!);
        }

        return model;
    }

    public float TrainBatch(ReadOnlySpan<int> trainIndices)
    {
        nn.Module<Tensor, Tensor> model = _model ?? throw new InvalidOperationException("Setup first.");
        for (int i = 0; i < trainIndices.Length; i++)
        {
            _indexBuffer[i] = trainIndices[i];
        }

        using var scope = torch.NewDisposeScope();
        SetMode(model, training: true);
        Tensor index = torch.tensor(_indexBuffer.AsSpan(0, trainIndices.Length).ToArray());
        Tensor x = _trainX!.index_select(0, index);
        Tensor y = _trainY!.index_select(0, index);
        _optimizer!.zero_grad();
        Tensor loss = nn.functional.cross_entropy(model.forward(x), y);
        loss.backward();
        _optimizer.step();
        return loss.item<float>();
    }

    public void PredictBatch(int firstTest, int count, Span<int> predictedClasses)
    {
        nn.Module<Tensor, Tensor> model = _model ?? throw new InvalidOperationException("Setup first.");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        SetMode(model, training: false);
        Tensor classes = model.forward(_testX!.narrow(0, firstTest, count)).argmax(1);
        ReadOnlySpan<long> values = classes.data<long>().ToArray();
        for (int i = 0; i < count; i++)
        {
            predictedClasses[i] = (int)values[i];
        }
    }

    public int PredictOne(int testIndex)
    {
        nn.Module<Tensor, Tensor> model = _model ?? throw new InvalidOperationException("Setup first.");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        SetMode(model, training: false);
        return (int)model.forward(_testX!.narrow(0, testIndex, 1)).argmax(1).item<long>();
    }

    public void Dispose()
    {
        _trainX?.Dispose();
        _trainY?.Dispose();
        _testX?.Dispose();
        _optimizer?.Dispose();
        _model?.Dispose();
    }

    // train()/eval() walk every module through native calls: switch only when the mode changes.
    private void SetMode(nn.Module<Tensor, Tensor> model, bool training)
    {
        if (_training != training)
        {
            model.train(training);
            _training = training;
        }
    }

    private static Tensor Images(Dataset data)
    {
        var shape = new long[data.SampleShape.Count + 1];
        shape[0] = data.Count;
        for (int i = 0; i < data.SampleShape.Count; i++)
        {
            shape[i + 1] = data.SampleShape[i];
        }

        return torch.tensor(data.Features, shape);
    }

    private static Tensor Labels(Dataset data)
    {
        var labels = new long[data.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = data.Labels[i];
        }

        return torch.tensor(labels);
    }
}
