using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.CodeAnalysis;
using NetGen.Generators.Model;
using NetGen.Generators.Weights;
using Xunit;

namespace NetGen.Generators.Tests;

/// <summary>
/// <c>[Network(Weights = "…")]</c>: what the generator bakes is exactly what the runtime's <c>Checkpoint.Load</c>
/// reads from the same file (bit for bit, every dtype), the baked network needs no file at run time, the file's
/// bytes are never read as text, and no file, however mangled, makes the generator throw.
/// </summary>
public sealed class BakedWeightsTests
{
    private const string TinySource = """
        using NetGen;

        namespace Models;

        [Network(Weights = "tiny.safetensors"), Input(3), Dense(2)]
        public partial class Tiny;
        """;

    [Fact]
    public void TinyNetwork_ParameterlessConstructor_StartsFromTheFile()
    {
        using var folder = new TempFolder();
        byte[] bytes = WeightsFiles.Tiny();
        GeneratorRun run = GeneratorHarness.Run(TinySource, folder.Write("weights/tiny.safetensors", bytes));
        AssertClean(run);

        using LoadedAssembly loaded = GeneratorHarness.EmitAndLoad(run.Output);
        INetwork net = loaded.Create("Models.Tiny");
        Assert.Equal([1f, 2f, 3f, -4f, 0.5f, 0.25f, 0.125f, -1f], net.Parameters.ToArray());
        Span<float> output = stackalloc float[2];
        net.Predict([1f, -1f, 2f], output);
        Assert.Equal((1f - 2f + 6f) + 0.125f, output[0]);
        Assert.Equal((-4f - 0.5f + 0.5f) - 1f, output[1]);

        // The seeded constructor is still there and ignores the file.
        Assert.NotEqual(net.Parameters.ToArray(), loaded.Create("Models.Tiny", seed: 1).Parameters.ToArray());
        string sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.Equal(sha, loaded.Assembly.GetType("Models.Tiny")!.GetField("BakedWeightsSha256")!.GetValue(null));
    }

    [Fact]
    public void GeneratedSource_ExplainsTheBakedData()
    {
        using var folder = new TempFolder();
        GeneratorRun run = GeneratorHarness.Run(TinySource, folder.Write("tiny.safetensors", WeightsFiles.Tiny()));
        AssertClean(run);
        string source = Assert.Single(run.Sources).Value;
        Assert.Contains("public Tiny()", source, StringComparison.Ordinal);
        Assert.Contains("BakedParameters.CopyTo(_parameters.Span);", source, StringComparison.Ordinal);
        Assert.Contains("public static global::System.ReadOnlySpan<float> BakedParameters => new float[]", source, StringComparison.Ordinal);
        Assert.Contains("// dense1.weight [2, 3] at 0\n        1f, 2f, 3f, -4f, 0.5f, 0.25f,\n        // dense1.bias [2] at 6\n        0.125f, -1f,\n", source, StringComparison.Ordinal);
    }

    public static TheoryData<string> FloatDTypes() => ["F32", "F64", "F16", "BF16"];

    [Theory]
    [MemberData(nameof(FloatDTypes))]
    public void EveryFloatDType_BakesExactlyWhatTheRuntimeLoads(string dtype)
    {
        // Awkward values: signed zeros, subnormals, extremes, infinities, NaN, and plenty of ordinary ones.
        var random = new Random(7);
        float[] special = [0f, -0f, float.Epsilon, -1e-40f, 1e-8f, float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1f / 3f];
        float[] weights = [.. special, .. Enumerable.Range(0, 40 - special.Length).Select(_ => (float)((random.NextDouble() * 8) - 4))];
        float[] bias = [0.1f, -0.2f, 1e-3f, 65504f, 65520f, -7e-5f, 6e-8f, 2f, -2f, 0.3f];
        RawTensor Tensor(string name, int[] shape, float[] values) => dtype switch
        {
            "F32" => WeightsFiles.F32(name, shape, values),
            "F64" => WeightsFiles.F64(name, shape, values.Select((v, i) => (double)v + (i % 3 == 0 ? 1e-12 : 0)).ToArray()),
            "F16" => WeightsFiles.F16(name, shape, values.Select(v => (Half)v).ToArray()),
            _ => WeightsFiles.BF16(name, shape, values.Select(v => (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16)).ToArray()),
        };

        const string Source = """
            using NetGen;

            namespace Models;

            [Network(Weights = "w.safetensors"), Input(4), Dense(10, Name = "hidden")]
            public partial class Typed;
            """;
        using var folder = new TempFolder();
        AdditionalText file = folder.Write("w.safetensors", WeightsFiles.Build([Tensor("hidden.weight", [10, 4], weights), Tensor("hidden.bias", [10], bias)]));
        GeneratorRun run = GeneratorHarness.Run(Source, file);
        AssertClean(run);

        using LoadedAssembly loaded = GeneratorHarness.EmitAndLoad(run.Output);
        INetwork baked = loaded.Create("Models.Typed");
        INetwork loadedAtRunTime = loaded.Create("Models.Typed", seed: 3);
        Checkpoint.Load(loadedAtRunTime, file.Path);
        AssertSameFloats(loadedAtRunTime.Parameters.ToArray(), baked.Parameters.ToArray());
    }

    [Fact]
    public void BatchNormNetwork_BakesParametersAndRunningStatistics()
    {
        const string Source = """
            using NetGen;

            namespace Models;

            [Network(Weights = "bn.safetensors"), Input(1, 6, 6)]
            [Conv2D(3, 3), BatchNorm, ReLU]
            [Dense(4), BatchNorm(Name = "norm"), ReLU, Dense(2)]
            public partial class Normed;
            """;

        // Train-free: write a seeded network's tensors with running statistics set, as a trainer's checkpoint would.
        GeneratorRun plain = GeneratorHarness.Run(Source.Replace("Weights = \"bn.safetensors\"", string.Empty, StringComparison.Ordinal));
        AssertClean(plain);
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "bn.safetensors");
        using (LoadedAssembly source = GeneratorHarness.EmitAndLoad(plain.Output))
        {
            INetwork net = source.Create("Models.Normed", seed: 11);
            var random = new Random(5);
            for (int i = 0; i < net.Buffers.Length; i++)
            {
                net.Buffers[i] = (float)random.NextDouble() + 0.5f;
            }

            Checkpoint.Save(net, path, new Dictionary<string, string> { ["num_batches_tracked:bn1"] = "12" }, [SafetensorsTensor.F32("optimizer.momentum", [3], [1f, 2f, 3f])]);
        }

        GeneratorRun run = GeneratorHarness.Run(Source, new BinaryAdditionalFile(path));
        AssertClean(run);
        using LoadedAssembly loaded = GeneratorHarness.EmitAndLoad(run.Output);
        INetwork baked = loaded.Create("Models.Normed");
        INetwork expected = loaded.Create("Models.Normed", seed: 99);
        Checkpoint.Load(expected, path);
        AssertSameFloats(expected.Parameters.ToArray(), baked.Parameters.ToArray());
        AssertSameFloats(expected.Buffers.ToArray(), baked.Buffers.ToArray());
        Assert.Contains(baked.Buffers.ToArray(), v => v != 0f && v != 1f);
    }

    [Fact]
    public void PathSuffix_PicksOneOfTwoFilesWithTheSameName()
    {
        using var folder = new TempFolder();
        AdditionalText a = folder.Write("a/tiny.safetensors", WeightsFiles.Tiny());
        AdditionalText b = folder.Write("b/tiny.safetensors", WeightsFiles.Build([WeightsFiles.F32("dense1.weight", [2, 3], new float[6]), WeightsFiles.F32("dense1.bias", [2], 7f, 8f)]));
        GeneratorRun run = GeneratorHarness.Run(TinySource.Replace("\"tiny.safetensors\"", "\"b\\\\tiny.safetensors\"", StringComparison.Ordinal), a, b);
        AssertClean(run);
        using LoadedAssembly loaded = GeneratorHarness.EmitAndLoad(run.Output);
        Assert.Equal([0f, 0f, 0f, 0f, 0f, 0f, 7f, 8f], loaded.Create("Models.Tiny").Parameters.ToArray());
    }

    [Fact]
    public void UnrequestedFiles_AreNeverRead_AndNoFileIsReadAsText()
    {
        using var folder = new TempFolder();

        // A path that does not exist: reading it would report NG0020. BinaryAdditionalFile throws if asked for text.
        var stray = new BinaryAdditionalFile(Path.Combine(folder.Path, "missing", "notes.bin"));
        GeneratorRun run = GeneratorHarness.Run(TinySource, stray, folder.Write("tiny.safetensors", WeightsFiles.Tiny()));
        AssertClean(run);

        GeneratorRun withoutWeights = GeneratorHarness.Run(TinySource.Replace("(Weights = \"tiny.safetensors\")", string.Empty, StringComparison.Ordinal), stray);
        AssertClean(withoutWeights);
        Assert.DoesNotContain("BakedParameters", Assert.Single(withoutWeights.Sources).Value, StringComparison.Ordinal);
    }

    [Fact]
    public void RealLeNetCheckpoint_BakesBitExact_AndClassifiesTheTestDigits()
    {
        string root = RepositoryRoot();
        string path = Path.Combine(root, "samples", "LeNet.Classify", "lenet5.safetensors");
        string source = File.ReadAllText(Path.Combine(root, "samples", "LeNet.Classify", "LeNet5.cs"));
        GeneratorRun run = GeneratorHarness.Run(source, new BinaryAdditionalFile(path));
        AssertClean(run);

        using LoadedAssembly loaded = GeneratorHarness.EmitAndLoad(run.Output);
        INetwork baked = loaded.Create("LeNet.Classify.LeNet5");
        INetwork expected = loaded.Create("LeNet.Classify.LeNet5", seed: 0);
        Checkpoint.Load(expected, path);
        AssertSameFloats(expected.Parameters.ToArray(), baked.Parameters.ToArray());

        (_, Dataset test) = Idx.LoadFolder(Path.Combine(root, "samples", "data", "mnist-10k"));
        Span<float> logits = stackalloc float[10];
        int correct = 0;
        for (int i = 0; i < test.Count; i++)
        {
            baked.Predict(test.Sample(i), logits);
            correct += ArgMax(logits) == test.Labels[i] ? 1 : 0;
        }

        Assert.True(correct >= 0.97 * test.Count, "accuracy " + ((double)correct / test.Count));
    }

    /// <summary>
    /// Mutated files (bytes flipped, cut, grown) against the runtime's reader: the generator's parser accepts exactly
    /// the files the runtime accepts, and the generator never throws on any of them.
    /// </summary>
    [Fact]
    public void MutatedFiles_AgreeWithTheRuntimeReader_AndNeverCrashTheGenerator()
    {
        byte[] valid = WeightsFiles.Build(
            [WeightsFiles.F32("dense1.weight", [2, 3], 1f, 2f, 3f, 4f, 5f, 6f), WeightsFiles.F16("dense1.bias", [2], (Half)1, (Half)2), WeightsFiles.I64("n", [], 3)],
            metadataJson: "{\"format\":\"pt\",\"note\":\"caf\\u00e9 \\ud83d\\ude00\"}");
        var random = new Random(2024);
        using var folder = new TempFolder();
        int accepted = 0, rejected = 0;
        for (int round = 0; round < 3000; round++)
        {
            byte[] bytes = Mutate(valid, random);
            string? error = SafetensorsParser.Parse(bytes, out List<SafetensorsEntry> tensors, out int dataStart);
            string? runtimeError = null;
            try
            {
                SafetensorsFile file = SafetensorsFile.Read(bytes, "mutated");
                Assert.Equal(file.Tensors.Select(t => t.Name), tensors.Select(t => t.Name));
            }
            catch (SafetensorsFormatException e)
            {
                runtimeError = e.Message;
            }

            Assert.True((error is null) == (runtimeError is null), "round " + round + ": generator says " + (error ?? "ok") + "; runtime says " + (runtimeError ?? "ok") + "\nheader: " + HeaderText(bytes));
            (error is null ? ref accepted : ref rejected)++;
            Assert.InRange(dataStart, 0, bytes.Length);

            if (round % 100 == 0)
            {
                GeneratorRun run = GeneratorHarness.Run(TinySource, folder.Write("r" + round + "/tiny.safetensors", bytes));
                Assert.Null(run.Crash);
                Assert.All(run.NetGenDiagnostics, d => Assert.Contains(d.Id, new[] { "NG0020", "NG0021" }));
            }
        }

        Assert.True(accepted > 100 && rejected > 100, accepted + " accepted, " + rejected + " rejected");
    }

    private static byte[] Mutate(byte[] valid, Random random)
    {
        List<byte> bytes = [.. valid];
        int headerEnd = 8 + (int)BitConverter.ToUInt64(valid, 0);
        int edits = random.Next(1, 3);
        for (int e = 0; e < edits; e++)
        {
            // Mostly inside the header, where the interesting rules are; sometimes the length or the data.
            if (bytes.Count == 0)
            {
                break;
            }

            int end = Math.Min(headerEnd, bytes.Count);
            int at = random.Next(10) switch
            {
                0 => random.Next(Math.Min(8, bytes.Count)),
                1 => random.Next(end, bytes.Count + 1),
                _ => random.Next(Math.Min(8, end), end),
            };
            at = Math.Min(at, bytes.Count - 1);
            const string Tokens = "{}[],:\"\\0123456789-+.eE ntfu\u00e9";
            switch (random.Next(5))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes[at] = (byte)Tokens[random.Next(Tokens.Length)];
                    break;
                case 2:
                    bytes.RemoveAt(at);
                    break;
                case 3:
                    bytes.Insert(at, (byte)Tokens[random.Next(Tokens.Length)]);
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at); // truncated
                    break;
            }
        }

        // Usually keep the declared header length in step with inserted or removed header bytes.
        if (random.Next(4) != 0 && bytes.Count >= 8)
        {
            int delta = bytes.Count - valid.Length;
            ulong length = (ulong)Math.Max(0, headerEnd - 8 + delta);
            byte[] prefix = BitConverter.GetBytes(length);
            for (int i = 0; i < 8; i++)
            {
                bytes[i] = prefix[i];
            }
        }

        return [.. bytes];
    }

    private static string HeaderText(byte[] bytes) =>
        bytes.Length < 8 ? "(short)" : System.Text.Encoding.UTF8.GetString(bytes, 8, Math.Min(bytes.Length - 8, 400));

    private static void AssertClean(GeneratorRun run)
    {
        Assert.True(run.Crash is null, run.Crash);
        Assert.True(!run.GeneratorDiagnostics.Any(), run.Describe());
        Assert.True(!run.OutputDiagnostics.Any(d => d.Severity == DiagnosticSeverity.Error), run.Describe());
    }

    /// <summary>Bit-identical, except that any NaN matches any NaN (the baked literal is float.NaN).</summary>
    private static void AssertSameFloats(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            bool same = float.IsNaN(expected[i]) ? float.IsNaN(actual[i]) : BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]);
            Assert.True(same, "index " + i + ": expected " + expected[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture) + ", got " + actual[i].ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int i = 1; i < values.Length; i++)
        {
            best = values[i] > values[best] ? i : best;
        }

        return best;
    }

    private static string RepositoryRoot([CallerFilePath] string thisFile = "")
    {
        foreach (string start in new[] { Path.GetDirectoryName(thisFile) ?? string.Empty, AppContext.BaseDirectory })
        {
            for (DirectoryInfo? d = new(start); d is not null; d = d.Parent)
            {
                if (Directory.Exists(Path.Combine(d.FullName, "generators", "NetGen.Generators")))
                {
                    return d.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException("The repository root was not found above " + thisFile);
    }
}
