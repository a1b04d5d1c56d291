using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using NetGen;
using NetGen.Tests.Training;
using Xunit;
using static NetGen.Tests.Checkpoints.SafetensorsBytes;

namespace NetGen.Tests.Checkpoints;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("netgen-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // ---------- round trips ----------

    [Fact]
    public void SaveThenLoad_RestoresParametersBitExact()
    {
        var saved = new LinearSoftmaxNetwork(5, 3, seed: 1);
        saved.Parameters[2] = float.NaN;
        saved.Parameters[^1] = -0f;
        var restored = new LinearSoftmaxNetwork(5, 3, seed: 2);
        Assert.NotEqual(Bits(saved.Parameters), Bits(restored.Parameters));
        string path = PathOf("linear");

        Checkpoint.Save(saved, path);
        CheckpointLoadResult result = Checkpoint.Load(restored, path);

        Assert.Equal(Bits(saved.Parameters), Bits(restored.Parameters));
        Assert.Equal(["dense1.weight", "dense1.bias"], result.Loaded);
        Assert.Empty(result.Skipped);
        Assert.Empty(result.Missing);
        Assert.True(result.IsComplete);
        Assert.Empty(result.Metadata);
    }

    [Fact]
    public void Save_WritesOneF32TensorPerTensorInfo_WithPyTorchKeysAndShapes()
    {
        var network = new LinearSoftmaxNetwork(4, 3);
        string path = PathOf("layout");

        Checkpoint.Save(network, path);
        SafetensorsFile file = SafetensorsFile.Read(path);

        Assert.Equal(["dense1.weight", "dense1.bias"], file.Tensors.Select(t => t.Name));
        Assert.All(file.Tensors, t => Assert.Equal(SafetensorsDType.F32, t.DType));
        Assert.Equal([3, 4], file.Tensors[0].Shape);
        Assert.Equal([3], file.Tensors[1].Shape);
        Assert.Equal(network.Weights.ToArray(), file.Tensors[0].Data);
        Assert.Equal(network.Bias.ToArray(), file.Tensors[1].Data);
    }

    [Fact]
    public void Buffers_AreSavedAndLoaded_WithNumBatchesTrackedFromMetadata()
    {
        var saved = new BatchNormTestNetwork(seed: 3);
        var restored = new BatchNormTestNetwork(seed: 4);
        string path = PathOf("batchnorm");
        var metadata = new Dictionary<string, string> { ["num_batches_tracked:bn1"] = "1234", ["epoch"] = "7" };

        Checkpoint.Save(saved, path, metadata);
        CheckpointLoadResult result = Checkpoint.Load(restored, path);

        Assert.Equal(Bits(saved.Parameters), Bits(restored.Parameters));
        Assert.Equal(Bits(saved.Buffers), Bits(restored.Buffers));
        Assert.Equal(
            ["dense1.weight", "dense1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"], result.Loaded);
        Assert.True(result.IsComplete);
        Assert.Equal("7", result.Metadata["epoch"]);

        // The file, as PyTorch's BatchNorm state dict has it: the layer's tensors, then num_batches_tracked.
        Assert.Equal(
            ["dense1.weight", "dense1.bias", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.num_batches_tracked"],
            result.File.Tensors.Select(t => t.Name));
        Assert.True(result.File.TryGetTensor("bn1.running_var", out SafetensorsTensor runningVar));
        Assert.Equal(saved.Buffers[2..].ToArray(), runningVar.Data);
        Assert.True(result.File.TryGetTensor("bn1.num_batches_tracked", out SafetensorsTensor tracked));
        Assert.Equal(SafetensorsDType.I64, tracked.DType);
        Assert.Empty(tracked.Shape);
        Assert.Equal(new[] { 1234L }, tracked.Int64Data);
    }

    [Fact]
    public void NumBatchesTracked_IsZeroWithoutMetadata_AndMalformedMetadataIsRejected()
    {
        string path = PathOf("tracked");
        Checkpoint.Save(new BatchNormTestNetwork(), path);
        Assert.True(SafetensorsFile.Read(path).TryGetTensor("bn1.num_batches_tracked", out SafetensorsTensor tracked));
        Assert.Equal(new[] { 0L }, tracked.Int64Data);

        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Save(
            new BatchNormTestNetwork(), PathOf("bad-tracked"), new Dictionary<string, string> { ["num_batches_tracked:bn1"] = "many" }));
        Assert.Contains("'num_batches_tracked:bn1' is 'many'", e.Message);
        Assert.False(File.Exists(PathOf("bad-tracked")));
    }

    [Fact]
    public void ExtraTensors_AreSavedAfterTheNetwork_AndIgnoredByLoad()
    {
        var network = new LinearSoftmaxNetwork(2, 2);
        string path = PathOf("with-optimizer");
        SafetensorsTensor[] extra =
        [
            SafetensorsTensor.F32("optimizer.momentum", [6], [1, 2, 3, 4, 5, 6]),
            SafetensorsTensor.I64("optimizer.step", [], [99]),
        ];

        Checkpoint.Save(network, path, new Dictionary<string, string> { ["optimizer"] = "sgd" }, extra);
        CheckpointLoadResult result = Checkpoint.Load(new LinearSoftmaxNetwork(2, 2, seed: 9), path);

        Assert.True(result.IsComplete);
        Assert.Equal(["dense1.weight", "dense1.bias", "optimizer.momentum", "optimizer.step"], result.File.Tensors.Select(t => t.Name));
        Assert.True(result.File.TryGetTensor("optimizer.momentum", out SafetensorsTensor momentum));
        Assert.Equal([1f, 2, 3, 4, 5, 6], momentum.Data);
        Assert.Equal("sgd", result.Metadata["optimizer"]);
    }

    [Fact]
    public void ExtraTensorNamedLikeANetworkTensor_IsRejected()
    {
        string path = PathOf("clash");
        var e = Assert.Throws<ArgumentException>(() =>
            Checkpoint.Save(new LinearSoftmaxNetwork(2, 2), path, extraTensors: [SafetensorsTensor.F32("dense1.bias", [2], [0, 0])]));
        Assert.Contains("dense1.bias", e.Message);
        Assert.False(File.Exists(path));
    }

    // ---------- files from elsewhere ----------

    [Fact]
    public void GoldenBytes_PyTorchStyleFile_LoadsWithConversions()
    {
        // What safetensors.torch.save_file writes for a BF16 Linear(3, 2) and its F32 bias, with a stray
        // num_batches_tracked and optimizer state that the network does not have.
        const string Header =
            "{\"__metadata__\":{\"format\":\"pt\"}," +
            "\"dense1.weight\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,12]}," +
            "\"dense1.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}," +
            "\"bn9.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[20,28]}," +
            "\"optimizer.lr\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[28,36]}}";
        string path = PathOf("pytorch");
        File.WriteAllBytes(path, BuildPadded(
            Header, U16(0x3F80, 0xC000, 0x4049, 0x0000, 0xBF80, 0x4000), F32(0.5f, -0.25f), I64(5), F64(0.01)));
        var network = new LinearSoftmaxNetwork(3, 2);

        CheckpointLoadResult result = Checkpoint.Load(network, path);

        Assert.Equal([1f, -2f, 3.140625f, 0f, -1f, 2f], network.Weights.ToArray());
        Assert.Equal([0.5f, -0.25f], network.Bias.ToArray());
        Assert.True(result.IsComplete);
        Assert.Equal("pt", result.Metadata["format"]);
    }

    // ---------- mismatches ----------

    [Fact]
    public void StrictLoad_ListsEveryProblem_AndLeavesTheNetworkUnchanged()
    {
        string path = PathOf("other-network");
        SafetensorsFile.Write(
            path,
            [
                SafetensorsTensor.F32("dense1.weight", [3, 4], new float[12]),          // network has [3, 5]
                SafetensorsTensor.F32("fc.weight", [1], [1]),                           // not the network's
                SafetensorsTensor.F32("optimizer.state", [1], [1]),                     // ignored
                SafetensorsTensor.I64("bn1.num_batches_tracked", [], [3]),              // ignored
                SafetensorsTensor.F32("fc.bias", [1], [1]),                             // not the network's
            ]);                                                                         // dense1.bias: missing
        var network = new LinearSoftmaxNetwork(5, 3);
        int[] before = Bits(network.Parameters);

        var e = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(network, path));

        Assert.Equal(path, e.FilePath);
        Assert.Equal(
            [
                "dense1.weight: shape [3, 5] expected, file has [3, 4]",
                "dense1.bias: missing from the file",
                "fc.weight: not a tensor of this network",
                "fc.bias: not a tensor of this network",
            ],
            e.Problems);
        string[] lines = e.Message.Split(Environment.NewLine);
        Assert.Contains(path, lines[0]);
        Assert.Contains("4 problems", lines[0]);
        Assert.Equal(e.Problems, lines[1..].Select(l => l.Trim()));
        Assert.Equal(before, Bits(network.Parameters));
    }

    [Fact]
    public void StrictLoad_WrongDtypeAndShape_AreBothReported()
    {
        string path = PathOf("ints");
        SafetensorsFile.Write(
            path,
            [SafetensorsTensor.F32("dense1.weight", [2, 2], new float[4]), SafetensorsTensor.I64("dense1.bias", [3], [1, 2, 3])]);
        var network = new LinearSoftmaxNetwork(2, 2);
        int[] before = Bits(network.Parameters);

        var e = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(network, path));

        Assert.Equal(
            ["dense1.bias: dtype I64 in the file, expected a float dtype (F32, F64, F16 or BF16); shape [2] expected, file has [3]"],
            e.Problems);
        Assert.Contains("1 problem;", e.Message);
        Assert.Equal(before, Bits(network.Parameters)); // dense1.weight matched, but nothing is copied
    }

    [Fact]
    public void StrictLoad_BufferMismatch_LeavesParametersAndBuffersUnchanged()
    {
        string path = PathOf("bn-mismatch");
        Checkpoint.Save(new BatchNormTestNetwork(seed: 5), path);
        var tensors = SafetensorsFile.Read(path).Tensors
            .Select(t => t.Name == "bn1.running_var" ? SafetensorsTensor.F32(t.Name, [1, 2], t.Data) : t)
            .ToList();
        SafetensorsFile.Write(path, tensors);
        var network = new BatchNormTestNetwork(seed: 6);
        int[] parameters = Bits(network.Parameters), buffers = Bits(network.Buffers);

        var e = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(network, path));

        Assert.Equal(["bn1.running_var: shape [2] expected, file has [1, 2]"], e.Problems);
        Assert.Equal(parameters, Bits(network.Parameters));
        Assert.Equal(buffers, Bits(network.Buffers));
    }

    [Fact]
    public void NonStrictLoad_CopiesMatches_AndReportsTheRest()
    {
        var source = new BatchNormTestNetwork(seed: 7);
        string path = PathOf("partial");
        SafetensorsFile.Write(
            path,
            [
                SafetensorsTensor.F32("dense1.weight", [3, 2], new float[6]),            // transposed: skipped
                SafetensorsTensor.F32("bn1.weight", [2], source.Parameters[8..10].ToArray()),
                SafetensorsTensor.F32("bn1.running_mean", [2], source.Buffers[..2].ToArray()),
                SafetensorsTensor.F32("head.weight", [2], [1, 2]),                       // unexpected
            ]);
        var network = new BatchNormTestNetwork(seed: 8);
        float[] parameters = network.Parameters.ToArray(), buffers = network.Buffers.ToArray();

        CheckpointLoadResult result = Checkpoint.Load(network, path, strict: false);

        Assert.Equal(["bn1.weight", "bn1.running_mean"], result.Loaded);
        Assert.Equal(
            [
                new SkippedTensor("dense1.weight", "shape [2, 3] expected, file has [3, 2]"),
                new SkippedTensor("head.weight", "not a tensor of this network"),
            ],
            result.Skipped);
        Assert.Equal(["dense1.bias", "bn1.bias", "bn1.running_var"], result.Missing);
        Assert.False(result.IsComplete);
        Assert.Equal("dense1.weight: shape [2, 3] expected, file has [3, 2]", result.Skipped[0].ToString());

        source.Parameters[8..10].CopyTo(parameters.AsSpan(8));
        source.Buffers[..2].CopyTo(buffers);
        Assert.Equal(Bits(parameters), Bits(network.Parameters));
        Assert.Equal(Bits(buffers), Bits(network.Buffers));
    }

    [Fact]
    public void Load_MalformedOrMissingFile_PropagatesTheReadError()
    {
        string malformed = PathOf("garbage");
        File.WriteAllBytes(malformed, [1, 2, 3]);
        var e = Assert.Throws<SafetensorsFormatException>(() => Checkpoint.Load(new LinearSoftmaxNetwork(2, 2), malformed));
        Assert.Equal(malformed, e.FilePath);

        Assert.Throws<FileNotFoundException>(() => Checkpoint.Load(new LinearSoftmaxNetwork(2, 2), PathOf("absent")));
    }

    [Fact]
    public void NetworkWhoseTensorsOverrunItsBuffers_IsAnArgumentError()
    {
        var broken = new BatchNormTestNetwork(runningVarOffset: 3);
        string path = PathOf("broken");

        var save = Assert.Throws<ArgumentException>(() => Checkpoint.Save(broken, path));
        Assert.Contains("'bn1.running_var' (2 floats at offset 3) lies outside its Buffers (4 floats)", save.Message);
        Assert.False(File.Exists(path));

        Checkpoint.Save(new BatchNormTestNetwork(), path);
        float[] before = broken.Parameters.ToArray();
        Assert.Throws<ArgumentException>(() => Checkpoint.Load(broken, path, strict: false));
        Assert.Equal(before, broken.Parameters.ToArray());
    }

    // ---------- helpers ----------

    private string PathOf(string name) => Path.Combine(_dir, name + ".safetensors");

    private static int[] Bits(ReadOnlySpan<float> values)
    {
        int[] bits = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            bits[i] = BitConverter.SingleToInt32Bits(values[i]);
        }

        return bits;
    }
}
