using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Xunit;

namespace NetGen.Tests.Reference;

/// <summary>
/// One file of PyTorch reference values (written by tests/NetGen.Reference through TorchSharp): the initial state
/// dict under PyTorch's names, the batch (<c>input</c>, <c>labels</c>, <c>targets</c>), <c>logits</c>, <c>output</c>
/// (after a trailing softmax or sigmoid), <c>eval_output</c> (evaluation mode, initial weights), <c>loss</c>,
/// <c>grad.KEY</c> per parameter, and after each optimizer step <c>stepN.KEY</c> (parameters and BatchNorm's running
/// statistics) and <c>stepN.loss</c> (the loss that step started from, N ≥ 2).
/// </summary>
/// <remarks>
/// Also compiled into NetGen.Gpu.Tests (linked), which reads the same files from its own output folder.
/// </remarks>
internal sealed class ReferenceData
{
    /// <summary>
    /// The relative part of the tolerance, float32 against float32. NetGen and libtorch sum in other orders
    /// (libtorch's convolutions and linear layers run as GEMMs, NetGen's as direct loops; NetGen gathers BatchNorm's
    /// statistics in double), so a value differs by a few units in the last place of the terms it sums: about 1e-6
    /// relative for a sum of tens of terms of one sign. A difference passes when |a − e| ≤ <see cref="Relative"/>·|e| +
    /// <see cref="Absolute"/>·max(1, max|e| of the tensor): the absolute part covers values that are small because
    /// their terms cancel (a gradient summed over the batch), whose error is set by the terms, not by the result.
    /// Measured: the worst value of every case uses at most 0.27 of this (BatchNorm's gradients in training mode),
    /// most below 0.1; each deliberate break tried (a flipped convolution kernel, a padding offset one row off,
    /// Adam without its first bias correction, BatchNorm's momentum applied the other way round, an average pool
    /// dividing by k² + 1) puts the first value it changes off by 2,000 to 200,000 times its tolerance.
    /// </summary>
    public const double Relative = 1e-5;

    /// <summary>The absolute part, as a fraction of the tensor's largest magnitude (at least 1).</summary>
    public const double Absolute = 1e-6;

    private readonly SafetensorsFile _file;

    private ReferenceData(string name, string path, SafetensorsFile file)
    {
        Name = name;
        Path = path;
        _file = file;
    }

    /// <summary>The case name (the file name without extension).</summary>
    public string Name { get; }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>Samples in the batch.</summary>
    public int Batch => int.Parse(Meta("batch"), CultureInfo.InvariantCulture);

    /// <summary>"train" or "eval": the mode PyTorch ran the pass in.</summary>
    public bool Training => Meta("mode") == "train";

    /// <summary>The folder the test project copies the files to.</summary>
    public static string Folder => System.IO.Path.Combine(AppContext.BaseDirectory, "Reference", "Data");

    /// <summary>Reads <c>Reference/Data/NAME.safetensors</c> from the test's output folder.</summary>
    public static ReferenceData Load(string name)
    {
        string path = System.IO.Path.Combine(Folder, name + ".safetensors");
        Assert.True(File.Exists(path), $"The reference file {path} is missing: regenerate the files with `dotnet run -c Release --project tests/NetGen.Reference -- --out tests/NetGen.Tests/Reference/Data` and check that the test project copies Reference/Data/*.safetensors to its output.");
        var data = new ReferenceData(name, path, SafetensorsFile.Read(path));
        Assert.Equal(name, data.Meta("case"));
        return data;
    }

    /// <summary>A metadata value; fails naming the key when the file lacks it.</summary>
    public string Meta(string key)
    {
        Assert.True(_file.Metadata.TryGetValue(key, out string? value), $"{Path}: no metadata '{key}'.");
        return value!;
    }

    public bool Has(string tensor) => _file.TryGetTensor(tensor, out _);

    /// <summary>A float tensor's values; fails naming the tensor when the file lacks it.</summary>
    public float[] Tensor(string name)
    {
        Assert.True(_file.TryGetTensor(name, out SafetensorsTensor tensor), $"{Path}: no tensor '{name}'.");
        return tensor.Data;
    }

    /// <summary>
    /// Loads the initial weights (and BatchNorm's running statistics) into <paramref name="net"/> by PyTorch's
    /// state-dict names, non-strictly because the file holds the other tensors too; fails unless every tensor of the
    /// network was found with its shape.
    /// </summary>
    public void LoadWeights(INetwork net)
    {
        CheckpointLoadResult result = Checkpoint.Load(net, Path, strict: false);
        Assert.True(
            result.Missing.Count == 0 && result.Skipped.All(s => !net.Layers.Any(l => l.Tensors.Any(t => t.Key == s.Key))),
            $"{Path}: the network's tensors do not match the file: missing {string.Join(", ", result.Missing)}; "
            + string.Join("; ", result.Skipped.Select(s => s.Key + ": " + s.Reason)));
    }

    /// <summary>The batch as a data set: the inputs, the labels and, for BCE and MSE, the float targets.</summary>
    public Dataset Dataset(INetwork net)
    {
        Assert.True(_file.TryGetTensor("labels", out SafetensorsTensor labels), $"{Path}: no tensor 'labels'.");
        int[] classes = labels.Int64Data!.Select(l => (int)l).ToArray();
        float[]? targets = Has("targets") ? Tensor("targets") : null;
        return new Dataset(Tensor("input"), classes, net.Layers[0].InputShape, Math.Max(2, net.OutputSize), targets: targets);
    }

    /// <summary>
    /// Asserts <paramref name="actual"/> is within the tolerance (times <paramref name="looser"/>) of the file's tensor
    /// <paramref name="tensor"/>; returns the worst error as a fraction of what was allowed.
    /// </summary>
    public double AssertClose(string tensor, ReadOnlySpan<float> actual, string what, Func<int, string>? element = null, double looser = 1) =>
        AssertClose(Tensor(tensor), actual, $"{Name}: {what} ('{tensor}')", element ?? (i => i.ToString(CultureInfo.InvariantCulture)), looser);

    /// <summary>The comparison behind <see cref="AssertClose(string, ReadOnlySpan{float}, string, Func{int, string}?, double)"/>, with its message.</summary>
    public static double AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what, Func<int, string> element, double looser = 1)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: PyTorch has {expected.Length} values, NetGen {actual.Length}.");
        double scale = 1;
        foreach (float v in expected)
        {
            scale = Math.Max(scale, Math.Abs(v));
        }

        double worst = 0;
        var failures = new List<string>();
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs((double)expected[i] - actual[i]);
            double bound = looser * ((Relative * Math.Abs(expected[i])) + (Absolute * scale));
            worst = Math.Max(worst, float.IsFinite(actual[i]) ? error / bound : double.PositiveInfinity);
            if (!(error <= bound))
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture, $"  {element(i)}: PyTorch {expected[i]:R}, NetGen {actual[i]:R} (error {error:E2} > {bound:E2})"));
            }
        }

        Assert.True(failures.Count == 0, $"{what}: {failures.Count} of {expected.Length} values differ from PyTorch's:{Environment.NewLine}{string.Join(Environment.NewLine, failures.Take(12))}");
        return worst;
    }

    /// <summary>
    /// Each parameter tensor (or, with <paramref name="buffers"/>, each buffer tensor) of <paramref name="net"/>, read
    /// from <paramref name="values"/> at its offset, against the file's <paramref name="prefix"/>KEY.
    /// </summary>
    public double AssertTensorsClose(INetwork net, string prefix, ReadOnlySpan<float> values, bool buffers, string what, double looser = 1)
    {
        double worst = 0;
        foreach (TensorInfo t in net.Layers.SelectMany(l => l.Tensors).Where(t => t.IsBuffer == buffers))
        {
            worst = Math.Max(worst, AssertClose(prefix + t.Key, values.Slice(t.Offset, t.Length), what, ElementOf(t), looser));
        }

        return worst;
    }

    /// <summary>Names the element of a parameter or buffer tensor, e.g. "conv1.weight[17] (0, 0, 3, 2)".</summary>
    public static Func<int, string> ElementOf(TensorInfo t) => i =>
    {
        var coordinates = new int[t.Shape.Count];
        int rest = i;
        for (int d = t.Shape.Count - 1; d >= 0; d--)
        {
            coordinates[d] = rest % t.Shape[d];
            rest /= t.Shape[d];
        }

        return string.Create(CultureInfo.InvariantCulture, $"{t.Key}[{i}] ({string.Join(", ", coordinates)})");
    };

    /// <summary>Names sample and output of a [batch, outputs] tensor.</summary>
    public static Func<int, string> SampleOutput(int outputs) => i => string.Create(CultureInfo.InvariantCulture, $"sample {i / outputs}, output {i % outputs}");
}
