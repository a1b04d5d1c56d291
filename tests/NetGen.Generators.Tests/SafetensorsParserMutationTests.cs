using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text.Json;
using NetGen.Generators.Model;
using NetGen.Generators.Weights;
using NetGen.Tests.Checkpoints;
using Xunit;
using Xunit.Abstractions;

namespace NetGen.Generators.Tests;

/// <summary>
/// The generator's baked-weights parser, called directly, on thousands of damaged real files (the LeNet-5
/// checkpoint and a BatchNorm checkpoint; the damage is SafetensorsMutator's, shared with the runtime reader's
/// mutation test). The parser must never throw (it runs inside the compiler), must answer quickly without
/// allocating far beyond the header's size, and must agree with the runtime reader whose rules it follows: it
/// accepts exactly the files the runtime reads, with the header's tensors, and rejects the others with a message.
/// </summary>
public sealed class SafetensorsParserMutationTests(ITestOutputHelper output)
{
    /// <summary>
    /// The parser builds a tree of the header's JSON (one node of a few dozen bytes per value, plus the decoded
    /// strings; a header of one-digit numbers has a value every two bytes); it never copies the data buffer.
    /// </summary>
    private const long BytesPerHeaderByte = 64;

    private const long Overhead = 256 << 10;

    private static readonly TimeSpan PerCase = TimeSpan.FromSeconds(5);

    [Fact]
    public void DamagedLeNet5Checkpoint_ParsesLikeTheRuntimeReader() =>
        Run(SafetensorsMutator.LeNet5(), cases: 500, seed: 21, "lenet5.safetensors");

    [Fact]
    public void DamagedBatchNormCheckpoint_ParsesLikeTheRuntimeReader() =>
        Run(SafetensorsMutator.BatchNormCheckpoint(), cases: 4000, seed: 22, "a BatchNorm checkpoint");

    private void Run(byte[] valid, int cases, ulong seed, string what)
    {
        Assert.True(Check(valid, -1), $"{what} itself does not parse");
        var rng = new Rng(seed);
        int parsed = 0, rejected = 0;
        for (int iteration = 0; iteration < cases; iteration++)
        {
            if (Check(SafetensorsMutator.Mutate(valid, ref rng), iteration))
            {
                parsed++;
            }
            else
            {
                rejected++;
            }
        }

        output.WriteLine($"{what}: {parsed} damaged files parsed, {rejected} rejected");
        Assert.True(parsed >= cases / 50, $"only {parsed} mutations were parsed; the mutator should also produce valid files");
        Assert.True(rejected >= cases / 2, $"only {rejected} mutations were rejected");
    }

    private static bool Check(byte[] bytes, int iteration)
    {
        string context = $"iteration {iteration}: file {Convert.ToHexString(bytes, 0, Math.Min(bytes.Length, 96))}... ({bytes.Length} bytes)";
        long headerBytes = bytes.Length < 8 ? 0 : (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(bytes), (ulong)bytes.Length);
        long bound = Overhead + (BytesPerHeaderByte * headerBytes);

        string? error = null;
        List<SafetensorsEntry> tensors = [];
        int dataStart = 0;
        var clock = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            error = SafetensorsParser.Parse(bytes, out tensors, out dataStart);
        }
        catch (Exception e)
        {
            Assert.Fail($"{context}: the parser threw {e.GetType().Name}: {e.Message}");
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= bound, $"{context}: the parser allocated {allocated} bytes; expected at most {bound}");
        Assert.True(clock.Elapsed < PerCase, $"{context}: the parser took {clock.Elapsed.TotalSeconds:F1} s");

        SafetensorsFile? runtime;
        try
        {
            runtime = SafetensorsFile.Read(bytes, "damaged");
        }
        catch (SafetensorsFormatException)
        {
            runtime = null;
        }

        if (error is not null)
        {
            Assert.True(runtime is null, $"{context}: the parser rejected a file the runtime reads: {error}");
            Assert.False(string.IsNullOrWhiteSpace(error));
            Assert.Empty(tensors);
            return false;
        }

        Assert.True(runtime is not null, $"{context}: the parser accepted a file the runtime rejects");
        MatchesHeader(bytes, tensors, dataStart, context);
        Assert.Equal(runtime!.Tensors.Select(t => t.Name), tensors.Select(t => t.Name));
        return true;
    }

    /// <summary>The parser's tensors against the header decoded here independently: names, dtypes, shapes, offsets.</summary>
    private static void MatchesHeader(byte[] bytes, List<SafetensorsEntry> tensors, int dataStart, string context)
    {
        Assert.Equal(8 + (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes), dataStart);
        using JsonDocument header = JsonDocument.Parse(bytes.AsMemory(8, dataStart - 8));
        JsonProperty[] entries = [.. header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__")];
        Assert.True(entries.Length == tensors.Count, $"{context}: {tensors.Count} tensors parsed, {entries.Length} in the header");
        for (int i = 0; i < entries.Length; i++)
        {
            JsonElement e = entries[i].Value;
            SafetensorsEntry t = tensors[i];
            Assert.Equal(entries[i].Name, t.Name);
            Assert.Equal(e.GetProperty("dtype").GetString(), t.DType);
            Assert.Equal(e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()), t.Shape);
            Assert.Equal(e.GetProperty("data_offsets")[0].GetInt64(), t.Begin);
            Assert.Equal(e.GetProperty("data_offsets")[1].GetInt64(), t.End);
            Assert.True(dataStart + (long)t.End <= bytes.Length, $"{context}: tensor '{t.Name}' ends past the file");
        }
    }
}
