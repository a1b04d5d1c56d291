using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;

namespace NetGen;

/// <summary>
/// A safetensors file (the format of Hugging Face's <c>safetensors</c> library, readable by PyTorch through
/// <c>safetensors.torch.load_file</c>): an 8-byte little-endian header length N, N bytes of UTF-8 JSON naming
/// each tensor's dtype, shape and byte range, then the little-endian tensor data.
/// </summary>
/// <remarks>
/// <para>
/// Reading validates the whole header against the real length of the file before allocating any tensor, so a
/// corrupt or hostile file costs at most its own size in memory. Every malformed file is a
/// <see cref="SafetensorsFormatException"/> that names the file, the tensor and what was expected. The checks
/// are strict: the tensors must cover the data buffer exactly, with no overlap and no gap. Fields of a tensor
/// entry other than <c>dtype</c>, <c>shape</c> and <c>data_offsets</c> are ignored, as the reference
/// implementation does.
/// </para>
/// <para>
/// Writing is atomic: the file is written to a temporary file in the same folder, flushed to disk, and renamed
/// over the target, so a crash leaves either the old file or the new one, never half of one.
/// </para>
/// </remarks>
public sealed class SafetensorsFile
{
    /// <summary>The largest header accepted, as in the reference implementation: 100 MB.</summary>
    public const int MaxHeaderLength = 100_000_000;

    private readonly Dictionary<string, SafetensorsTensor> _byName;

    internal SafetensorsFile(string sourceName, IReadOnlyDictionary<string, string> metadata, List<SafetensorsTensor> tensors)
    {
        SourceName = sourceName;
        Metadata = metadata;
        Tensors = tensors.AsReadOnly();
        _byName = new Dictionary<string, SafetensorsTensor>(tensors.Count, StringComparer.Ordinal);
        foreach (SafetensorsTensor t in tensors)
        {
            _byName.Add(t.Name, t);
        }
    }

    /// <summary>The path the file was read from, or the source name given to <see cref="Read(Stream, string)"/>.</summary>
    public string SourceName { get; }

    /// <summary>The header's <c>__metadata__</c> (string keys and values); empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors, in the order the header lists them.</summary>
    public IReadOnlyList<SafetensorsTensor> Tensors { get; }

    /// <summary>Finds a tensor by name (exact, case-sensitive).</summary>
    /// <param name="name">The tensor's name, e.g. <c>conv1.weight</c>.</param>
    /// <param name="tensor">The tensor, when found.</param>
    /// <returns>True when the file has a tensor of that name.</returns>
    public bool TryGetTensor(string name, out SafetensorsTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out tensor!);
    }

    /// <summary>Reads and validates a safetensors file.</summary>
    /// <param name="path">The file, e.g. <c>model.safetensors</c>.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="SafetensorsFormatException">The file is not a well-formed safetensors file of supported dtypes.</exception>
    public static SafetensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return SafetensorsReader.Read(file, path);
    }

    /// <summary>
    /// Reads and validates a safetensors file from <paramref name="stream"/>, from its current position to its end.
    /// A seekable stream is validated against its length before anything large is allocated; any other stream is
    /// first read to its end.
    /// </summary>
    /// <param name="stream">The data; not closed.</param>
    /// <param name="sourceName">What to call the data in error messages (usually a file name).</param>
    /// <exception cref="SafetensorsFormatException">The data is not a well-formed safetensors file of supported dtypes.</exception>
    public static SafetensorsFile Read(Stream stream, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        return SafetensorsReader.Read(stream, sourceName);
    }

    /// <summary>Reads and validates a safetensors file held in memory.</summary>
    /// <param name="bytes">The whole file.</param>
    /// <param name="sourceName">What to call the data in error messages (usually a file name).</param>
    /// <exception cref="SafetensorsFormatException">The data is not a well-formed safetensors file of supported dtypes.</exception>
    public static SafetensorsFile Read(ReadOnlySpan<byte> bytes, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        return SafetensorsReader.Read(bytes, sourceName);
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> as a safetensors file, atomically: to a temporary file in the same folder
    /// that is flushed to disk and then renamed over <paramref name="path"/> (the temporary file is deleted if
    /// anything fails, and an existing file is left as it was).
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="tensors">
    /// The tensors, written in this order, with consecutive data offsets. Floating-point tensors are written as F32
    /// whatever <see cref="SafetensorsTensor.DType"/> they were read with; I64 tensors as I64.
    /// </param>
    /// <param name="metadata">String metadata for the header's <c>__metadata__</c>, written only when not empty.</param>
    /// <exception cref="ArgumentException">Two tensors share a name, a tensor is null or is named <c>__metadata__</c>.</exception>
    public static void Write(string path, IEnumerable<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        SafetensorsWriter.Write(path, tensors, metadata);
    }

    internal static IReadOnlyDictionary<string, string> NoMetadata { get; } =
        new ReadOnlyDictionary<string, string>(new Dictionary<string, string>());
}
