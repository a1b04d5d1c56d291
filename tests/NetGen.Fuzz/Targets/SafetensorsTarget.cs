using System;
using System.Collections.Generic;
using System.IO;

namespace NetGen.Fuzz;

/// <summary>
/// <see cref="SafetensorsFile.Read(ReadOnlySpan{byte}, string)"/> and the stream reader (seekable and not) on the
/// input. Allowed outcomes: the same tensors from all three, or <see cref="SafetensorsFormatException"/> from all three.
/// </summary>
internal sealed class SafetensorsTarget : ITarget
{
    private const string Source = "fuzz-input";

    public void Run(byte[] input)
    {
        long bound = Limits.Overhead + (8L * input.Length);
        SafetensorsFile? span = Read("Read(span)", () => SafetensorsFile.Read(input, Source), bound);
        SafetensorsFile? seekable = Read("Read(stream)", () => SafetensorsFile.Read(new MemoryStream(input, writable: false), Source), bound);
        SafetensorsFile? forward = Read(
            "Read(non-seekable stream)", () => SafetensorsFile.Read(new ForwardOnlyStream(input), Source), bound);
        Same("Read(stream)", span, seekable);
        Same("Read(non-seekable stream)", span, forward);
    }

    public IEnumerable<(string Name, byte[] Bytes)> Seeds(string repository) => SafetensorsSeeds.All(repository);

    private static SafetensorsFile? Read(string what, Func<SafetensorsFile> read, long bound)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        SafetensorsFile? file = null;
        try
        {
            file = read();
        }
        catch (SafetensorsFormatException e) when (e.Message.Contains(Source, StringComparison.Ordinal))
        {
        }

        Limits.CheckAllocation(what, GC.GetAllocatedBytesForCurrentThread() - before, bound);
        return file;
    }

    /// <summary>Throws unless both reads failed or both gave the same tensors, bit for bit.</summary>
    public static void Same(string what, SafetensorsFile? expected, SafetensorsFile? actual)
    {
        if (expected is null || actual is null)
        {
            if (expected is not null || actual is not null)
            {
                throw new InvalidOperationException($"{what} {(actual is null ? "rejected" : "accepted")} what Read(span) did not.");
            }

            return;
        }

        if (expected.Tensors.Count != actual.Tensors.Count || expected.Metadata.Count != actual.Metadata.Count)
        {
            throw new InvalidOperationException($"{what} read {actual.Tensors.Count} tensors; Read(span) read {expected.Tensors.Count}.");
        }

        for (int i = 0; i < expected.Tensors.Count; i++)
        {
            SafetensorsTensor a = expected.Tensors[i], b = actual.Tensors[i];
            bool same = a.Name == b.Name && a.DType == b.DType && a.Shape.Count == b.Shape.Count
                && a.Data.AsSpan().SequenceEqual(b.Data) && (a.Int64Data ?? []).AsSpan().SequenceEqual(b.Int64Data ?? []);
            for (int d = 0; same && d < a.Shape.Count; d++)
            {
                same = a.Shape[d] == b.Shape[d];
            }

            if (!same)
            {
                throw new InvalidOperationException($"{what} read tensor {i} ('{b.Name}') unlike Read(span) ('{a.Name}').");
            }
        }
    }

    /// <summary>A stream that cannot seek, as a pipe or a network stream.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(count, bytes.Length - _position);
            Array.Copy(bytes, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
