using System;
using BenchmarkDotNet.Attributes;
using NetGen;

namespace NetGen.Benchmarks.Micro;

/// <summary>
/// Forward and backward time per sample of each layer kind, on each kernel path, with LeNet-5's shapes.
/// Run: <c>dotnet run -c Release --project tests/NetGen.Benchmarks -- micro</c> (BenchmarkDotNet arguments may
/// follow, e.g. <c>--filter *Conv*</c>).
/// </summary>
[MemoryDiagnoser]
public class LayerBenchmarks
{
    private INetwork _net = null!;
    private float[] _input = [];
    private float[] _workspace = [];
    private float[] _gradients = [];
    private float[] _logitsGradient = [];

    /// <summary>The layer kind under test (see MicroNetworks.cs).</summary>
    [Params("Conv1", "Conv2", "Dense1", "MaxPool", "AvgPool", "ReLU", "Sigmoid", "Tanh", "Dropout", "Softmax")]
    public string Layer { get; set; } = "Conv1";

    /// <summary>The kernel path.</summary>
    [Params(KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512)]
    public KernelPath Path { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _net = Layer switch
        {
            "Conv1" => new MicroConv1(1),
            "Conv2" => new MicroConv2(1),
            "Dense1" => new MicroDense1(1),
            "MaxPool" => new MicroMaxPool(1),
            "AvgPool" => new MicroAvgPool(1),
            "ReLU" => new MicroReLU(1),
            "Sigmoid" => new MicroSigmoid(1),
            "Tanh" => new MicroTanh(1),
            "Dropout" => new MicroDropout(1),
            _ => new MicroSoftmax(1),
        };
        _net.KernelPath = Path;
        var rng = new Rng(7);
        _input = new float[_net.InputSize];
        for (int i = 0; i < _input.Length; i++)
        {
            _input[i] = rng.NextFloat() - 0.5f;
        }

        _workspace = new float[_net.WorkspaceSize];
        _gradients = new float[_net.ParameterCount];
        _logitsGradient = new float[_net.OutputSize];
        _logitsGradient.AsSpan().Fill(0.01f);
        _net.Forward(_input, _workspace, training: true, dropoutSeed: 1);
    }

    /// <summary>One sample's forward pass in training mode.</summary>
    [Benchmark]
    public void Forward() => _net.Forward(_input, _workspace, training: true, dropoutSeed: 1);

    /// <summary>One sample's backward pass (gradients accumulate; their values do not matter here).</summary>
    [Benchmark]
    public void Backward() => _net.Backward(_input, _workspace, _logitsGradient, _gradients);
}
