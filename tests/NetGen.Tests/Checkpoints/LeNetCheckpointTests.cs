using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using NetGen.Tests.EndToEnd;
using Xunit;

namespace NetGen.Tests.Checkpoints;

public class LeNetCheckpointTests
{
    /// <summary>PyTorch's names and shapes for the equivalent nn.Module (conv1, conv2, dense1–3 as attribute names).</summary>
    private static readonly (string Key, int[] Shape)[] s_pyTorchStateDict =
    [
        ("conv1.weight", [6, 1, 5, 5]), ("conv1.bias", [6]),
        ("conv2.weight", [16, 6, 5, 5]), ("conv2.bias", [16]),
        ("dense1.weight", [120, 400]), ("dense1.bias", [120]),
        ("dense2.weight", [84, 120]), ("dense2.bias", [84]),
        ("dense3.weight", [10, 84]), ("dense3.bias", [10]),
    ];

    [Fact]
    public void A_saved_LeNet5_has_PyTorchs_names_and_shapes()
    {
        var net = new EndToEndLeNet5(1);
        string path = Path.Combine(Path.GetTempPath(), $"netgen-lenet-{Guid.NewGuid():N}.safetensors");
        try
        {
            using (var trainer = new Trainer(net, new AdamW(), 1))
            {
                trainer.SaveCheckpoint(path, epoch: 3);
            }

            SafetensorsFile file = SafetensorsFile.Read(path);
            var model = file.Tensors.Where(t => !t.Name.StartsWith("optimizer.", StringComparison.Ordinal)).ToArray();
            Assert.Equal(s_pyTorchStateDict.Select(s => s.Key), model.Select(t => t.Name));
            foreach ((string key, int[] shape) in s_pyTorchStateDict)
            {
                SafetensorsTensor t = model.Single(m => m.Name == key);
                Assert.Equal(shape, t.Shape);
                Assert.Equal(SafetensorsDType.F32, t.DType);
            }

            Assert.Equal(net.Conv1.Weights.ToArray(), model[0].Data);
            Assert.Equal(net.Dense3.Bias.ToArray(), model[9].Data);
            Assert.Equal("3", file.Metadata["netgen.epoch"]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Save_and_Load_extensions_round_trip_a_network()
    {
        var trained = new EndToEndLeNet5(1);
        var other = new EndToEndLeNet5(2);
        string path = Path.Combine(Path.GetTempPath(), $"netgen-roundtrip-{Guid.NewGuid():N}.safetensors");
        try
        {
            trained.Save(path);
            CheckpointLoadResult result = other.Load(path);
            Assert.Equal(10, result.Loaded.Count);
            Assert.Equal(trained.Parameters.ToArray(), other.Parameters.ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_hand_built_state_dict_in_alphabetical_key_order_loads_into_the_same_tensors_as_the_typed_views()
    {
        // The file is built byte by byte, as Python's safetensors writes torch.save-equivalent tensors: a JSON
        // header with the tensors in alphabetical order (so not the network's order), padded to 8 bytes.
        var rng = new Rng(7);
        var values = s_pyTorchStateDict.ToDictionary(s => s.Key, s => Enumerable.Range(0, s.Shape.Aggregate(1, (a, d) => a * d)).Select(_ => (rng.NextFloat() - 0.5f) * 0.2f).ToArray());
        var header = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        var ordered = s_pyTorchStateDict.OrderBy(s => s.Key, StringComparer.Ordinal).ToArray();
        foreach ((string key, int[] shape) in ordered)
        {
            long bytes = values[key].Length * 4L;
            header.Append(CultureInfo.InvariantCulture, $",\"{key}\":{{\"dtype\":\"F32\",\"shape\":[{string.Join(",", shape)}],\"data_offsets\":[{offset},{offset + bytes}]}}");
            offset += bytes;
        }

        header.Append('}');
        byte[] file = SafetensorsBytes.BuildPadded(header.ToString(), ordered.Select(s => SafetensorsBytes.F32(values[s.Key])).ToArray());
        string path = Path.Combine(Path.GetTempPath(), $"netgen-torch-{Guid.NewGuid():N}.safetensors");
        File.WriteAllBytes(path, file);
        try
        {
            var loaded = new EndToEndLeNet5(123);
            CheckpointLoadResult result = Checkpoint.Load(loaded, path, strict: true);
            Assert.Equal(10, result.Loaded.Count);
            Assert.Equal(values["conv2.weight"], loaded.Conv2.Weights.ToArray());
            Assert.Equal(values["dense1.bias"], loaded.Dense1.Bias.ToArray());

            // The same weights set through the typed layer views predict the same.
            var direct = new EndToEndLeNet5(456);
            values["conv1.weight"].CopyTo(direct.Conv1.Weights);
            values["conv1.bias"].CopyTo(direct.Conv1.Bias);
            values["conv2.weight"].CopyTo(direct.Conv2.Weights);
            values["conv2.bias"].CopyTo(direct.Conv2.Bias);
            values["dense1.weight"].CopyTo(direct.Dense1.Weights);
            values["dense1.bias"].CopyTo(direct.Dense1.Bias);
            values["dense2.weight"].CopyTo(direct.Dense2.Weights);
            values["dense2.bias"].CopyTo(direct.Dense2.Bias);
            values["dense3.weight"].CopyTo(direct.Dense3.Weights);
            values["dense3.bias"].CopyTo(direct.Dense3.Bias);
            float[] image = Enumerable.Range(0, 784).Select(i => (i % 29) / 29f).ToArray();
            float[] a = new float[10], b = new float[10];
            loaded.Predict(image, a);
            direct.Predict(image, b);
            Assert.Equal(b, a);
            Assert.All(a, v => Assert.True(float.IsFinite(v)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
