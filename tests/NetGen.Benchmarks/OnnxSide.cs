using System;
using System.Collections.Generic;
using System.Globalization;
using System.Reflection;
using Microsoft.ML.OnnxRuntime;
using NetGen.Benchmarks.Onnx;

namespace NetGen.Benchmarks;

/// <summary>
/// The ONNX Runtime side, inference only: the NetGen network of the model with its initial weights (the seed the
/// NetGen side starts from) written as an ONNX graph by <see cref="OnnxExport"/>, run by ONNX Runtime's CPU
/// provider with every graph optimization on and <see cref="SideSettings.Threads"/> intra-op threads. Setup checks
/// that the graph computes NetGen's function (the logits of 64 test images agree) before anything is timed. Each
/// call wraps the test images in place (no copy) and writes into a preallocated output.
/// </summary>
internal sealed class OnnxSide : IBenchmarkSide
{
    /// <summary>Largest difference allowed between ONNX Runtime's and NetGen's logits, relative to 1 + |logit|.</summary>
    private const float Tolerance = 1e-4f;

    private InferenceSession? _session;
    private RunOptions? _run;
    private Dataset? _test;
    private readonly Dictionary<int, (OrtValue Value, float[] Buffer, long[] InputShape)> _outputs = [];
    private readonly string[] _inputNames = [OnnxExport.InputName];
    private string[] _outputNames = [];
    private long[] _sampleShape = [];
    private int _classes;

    public string Name => "onnx";

    public string Title => "ONNX Runtime";

    public bool Trains => false;

    public string Setup(Dataset train, Dataset test, SideSettings settings)
    {
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(settings);
        _test = test;
        INetwork net = NetGenSide.CreateNetwork(settings);
        byte[] model = OnnxExport.Model(net, settings.Model.Title);
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = settings.Threads,
            InterOpNumThreads = 1,
        };
        _session = new InferenceSession(model, options);
        _run = new RunOptions();
        _outputNames = [net.Layers[^1].Name];
        _classes = net.Sizes.OutputSize;
        _sampleShape = [.. test.SampleShape];

        float worst = CheckAgainstNetGen(net, test, Math.Min(settings.BatchSize, test.Count));
        string version = typeof(InferenceSession).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
        int plus = version.IndexOf('+', StringComparison.Ordinal);
        version = plus >= 0 ? version[..plus] : version;
        return string.Create(CultureInfo.InvariantCulture,
            $"ONNX Runtime {version} (CPU provider, all graph optimizations), {settings.Threads} intra-op threads; {settings.Model.Title} exported from NetGen's initial weights ({model.Length / 1024} KiB of ONNX), logits equal NetGen's to {worst:0.#e0} on {Math.Min(settings.BatchSize, test.Count)} test images");
    }

    /// <summary>Runs the first <paramref name="count"/> test images through both; throws when they differ; returns the largest relative difference.</summary>
    private float CheckAgainstNetGen(INetwork net, Dataset test, int count)
    {
        float[] expected = new float[count * _classes];
        net.Predict(test.Features.AsSpan(0, count * test.SampleSize), expected, count);
        ReadOnlySpan<float> actual = Run(0, count);
        float worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            float difference = MathF.Abs(actual[i] - expected[i]) / (1 + MathF.Abs(expected[i]));
            worst = float.IsNaN(difference) ? float.PositiveInfinity : MathF.Max(worst, difference);
        }

        if (worst > Tolerance)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"The ONNX graph does not compute NetGen's network: logits differ by up to {worst:G3} (relative) on the first {count} test images."));
        }

        return worst;
    }

    public float TrainBatch(ReadOnlySpan<int> trainIndices) =>
        throw new NotSupportedException("The ONNX Runtime side only measures inference.");

    public void PredictBatch(int firstTest, int count, Span<int> predictedClasses)
    {
        ReadOnlySpan<float> logits = Run(firstTest, count);
        for (int i = 0; i < count; i++)
        {
            predictedClasses[i] = Evaluation.ArgMax(logits.Slice(i * _classes, _classes));
        }
    }

    public int PredictOne(int testIndex) => Evaluation.ArgMax(Run(testIndex, 1));

    /// <summary>The logits of test images [first, first + count), from one ONNX Runtime run.</summary>
    private ReadOnlySpan<float> Run(int first, int count)
    {
        Dataset test = _test ?? throw new InvalidOperationException("Setup first.");
        if (!_outputs.TryGetValue(count, out (OrtValue Value, float[] Buffer, long[] InputShape) output))
        {
            float[] buffer = new float[count * _classes];
            output = (OrtValue.CreateTensorValueFromMemory(buffer, [count, _classes]), buffer, [count, .. _sampleShape]);
            _outputs.Add(count, output);
        }

        using OrtValue input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance,
            test.Features.AsMemory(first * test.SampleSize, count * test.SampleSize), output.InputShape);
        _session!.Run(_run, _inputNames, [input], _outputNames, [output.Value]);
        return output.Buffer;
    }

    public void Dispose()
    {
        foreach ((OrtValue value, _, _) in _outputs.Values)
        {
            value.Dispose();
        }

        _run?.Dispose();
        _session?.Dispose();
    }
}
