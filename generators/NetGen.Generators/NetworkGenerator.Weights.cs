using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using NetGen.Generators.Diagnostics;
using NetGen.Generators.Model;
using NetGen.Generators.Weights;

namespace NetGen.Generators;

/// <summary>
/// Baked weights: <c>[Network(Weights = "lenet5.safetensors")]</c> names a safetensors file given to the compiler
/// as an <c>AdditionalFiles</c> item; the generator reads it, checks it against the network's tensors (names,
/// dtypes, shapes) and hands the values to the emitter, which writes them as read-only data of the assembly.
/// </summary>
public sealed partial class NetworkGenerator
{
    internal static class Weights
    {
        /// <summary>Largest file NetGen bakes; larger checkpoints belong in a file loaded at run time.</summary>
        public const long MaxFileBytes = 256L * 1024 * 1024;

        /// <summary>Problems listed in one NG0021 message before "and N more".</summary>
        private const int MaxListedProblems = 8;

        private const string OptimizerPrefix = "optimizer.";
        private const string NumBatchesTrackedSuffix = ".num_batches_tracked";

        /// <summary>
        /// The <c>Weights</c> named argument of the class's <c>[Network]</c>, or null when there is none (or it is
        /// null). The location is the argument, <c>Weights = "…"</c>, so diagnostics about the file point at it.
        /// </summary>
        public static WeightsRequest? ReadRequest(GeneratorAttributeSyntaxContext context, string networkName, System.Threading.CancellationToken cancellationToken)
        {
            foreach (AttributeData attribute in context.Attributes)
            {
                foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments)
                {
                    if (named.Key != "Weights" || named.Value.Kind == TypedConstantKind.Error || named.Value.Value is not string name)
                    {
                        continue;
                    }

                    LocationInfo? location = null;
                    if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax syntax)
                    {
                        AttributeArgumentSyntax? argument = syntax.ArgumentList?.Arguments
                            .FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "Weights");
                        location = LocationInfo.From((argument ?? (SyntaxNode)syntax).GetLocation());
                    }

                    return new WeightsRequest(name, location, networkName);
                }
            }

            return null;
        }

        /// <summary>
        /// Whether the additional file at <paramref name="path"/> is what <paramref name="name"/> names: the same
        /// path, or a path ending with <c>/</c> + name (so a bare file name, or enough of the path to tell two files
        /// of the same name apart). Either slash separates folders; the comparison is ordinal.
        /// </summary>
        public static bool Matches(string path, string name)
        {
            string n = Normalize(name);
            if (n.Length == 0)
            {
                return false;
            }

            string p = Normalize(path);
            return p == n || p.EndsWith("/" + n, StringComparison.Ordinal);
        }

        public static bool IsRequested(string path, EquatableArray<string> names)
        {
            foreach (string name in names)
            {
                if (Matches(path, name))
                {
                    return true;
                }
            }

            return false;
        }

        private static string Normalize(string path)
        {
            string p = path.Replace('\\', '/');
            while (p.StartsWith("./", StringComparison.Ordinal))
            {
                p = p.Substring(2);
            }

            return p;
        }

        /// <summary>
        /// Reads and parses the additional file at <paramref name="path"/>. Never throws: a file that cannot be read
        /// or parsed comes back with <see cref="WeightsFile.Error"/> set.
        /// </summary>
        /// <remarks>
        /// The bytes come from the file itself, not from <c>AdditionalText.GetText()</c>: that decodes the file as
        /// text, which loses binary data (the command-line compiler even reports CS2015, "is a binary file instead of
        /// a text file", for a file with NUL bytes), and Roslyn offers no binary access to additional files
        /// (dotnet/roslyn#47292). The file is an input the user named, read once per change of the additional file;
        /// its SHA-256 travels in the model, so the generated source changes exactly when the file's bytes do.
        /// </remarks>
        public static WeightsFile Read(string path, System.Threading.CancellationToken cancellationToken)
        {
            byte[] bytes;
            try
            {
                bytes = ReadAllBytes(path, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                throw;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException or System.Security.SecurityException or TooLarge)
            {
                return new WeightsFile(path, e is TooLarge ? e.Message : "it cannot be read: " + e.Message, string.Empty, EquatableArray<SafetensorsEntry>.Empty, EquatableBytes.Empty);
            }

            string sha256 = Sha256(bytes);
            string? error;
            List<SafetensorsEntry> tensors;
            int dataStart;
            try
            {
                error = SafetensorsParser.Parse(bytes, out tensors, out dataStart);
            }
#pragma warning disable CA1031 // A bug in the parser must become a diagnostic, never a generator crash (CS8785) that hides every network.
            catch (Exception e) when (e is not OperationCanceledException)
#pragma warning restore CA1031
            {
                return new WeightsFile(path, "NetGen failed to parse it (" + e.GetType().Name + ": " + e.Message + "); please report this with the file", sha256, EquatableArray<SafetensorsEntry>.Empty, EquatableBytes.Empty);
            }

            if (error is not null)
            {
                return new WeightsFile(path, error, sha256, EquatableArray<SafetensorsEntry>.Empty, EquatableBytes.Empty);
            }

            byte[] data = new byte[bytes.Length - dataStart];
            Array.Copy(bytes, dataStart, data, 0, data.Length);
            return new WeightsFile(path, null, sha256, tensors.ToEquatableArray(), new EquatableBytes(data));
        }

#pragma warning disable RS1035 // Banned API for analyzers: the file I/O below is justified in Read's remarks (binary AdditionalFiles have no other access).
        private static byte[] ReadAllBytes(string path, System.Threading.CancellationToken cancellationToken)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            long length = stream.Length;
            if (length > MaxFileBytes)
            {
                throw new TooLarge(string.Format(CultureInfo.InvariantCulture,
                    "it is {0} bytes; NetGen bakes files of at most {1} bytes (256 MiB): load a larger checkpoint at run time with Checkpoint.Load",
                    length, MaxFileBytes));
            }

            byte[] bytes = new byte[length];
            int read = 0;
            while (read < bytes.Length)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = stream.Read(bytes, read, Math.Min(bytes.Length - read, 1 << 20));
                if (n == 0)
                {
                    throw new IOException(string.Format(CultureInfo.InvariantCulture, "it ended after {0} of {1} bytes (it changed while being read)", read, bytes.Length));
                }

                read += n;
            }

            return bytes;
        }
#pragma warning restore RS1035

        private static string Sha256(byte[] bytes)
        {
            using var sha = SHA256.Create();
            byte[] hash = sha.ComputeHash(bytes);
            var hex = new StringBuilder(hash.Length * 2);
            foreach (byte b in hash)
            {
                hex.Append(b.ToString("x2", CultureInfo.InvariantCulture));
            }

            return hex.ToString();
        }

        /// <summary>
        /// Resolves a network's <c>Weights</c> against the files that were read: exactly one must match, be well
        /// formed and hold every tensor of the network with a float dtype and its exact shape (and nothing else, but
        /// optimizer state and <c>num_batches_tracked</c>, as <c>Checkpoint.Load</c> is strict). On success the plan
        /// carries the <see cref="BakedWeights"/>; otherwise the result carries the diagnostic and no plan.
        /// </summary>
        public static NetworkResult Resolve(NetworkResult result, ImmutableArray<WeightsFile> files)
        {
            if (result.Weights is not WeightsRequest request || result.Plan is not NetworkPlan plan)
            {
                return result;
            }

            WeightsFile[] matching = files.Where(f => Matches(f.Path, request.Name)).ToArray();
            DiagnosticInfo? problem = null;
            if (matching.Length == 0)
            {
                problem = DiagnosticInfo.Create(DiagnosticDescriptors.WeightsFileNotFound, request.Location, request.NetworkName, request.Name);
            }
            else if (matching.Length > 1)
            {
                string paths = string.Join(", ", matching.Select(f => "'" + f.Path + "'").OrderBy(p => p, StringComparer.Ordinal));
                problem = DiagnosticInfo.Create(DiagnosticDescriptors.WeightsFileAmbiguous, request.Location, request.NetworkName, request.Name, matching.Length, paths);
            }
            else if (matching[0].Error is string error)
            {
                problem = DiagnosticInfo.Create(DiagnosticDescriptors.WeightsFileMalformed, request.Location, request.Name, request.NetworkName, error);
            }
            else
            {
                var problems = new List<string>();
                BakedWeights? baked = Bake(plan, request.Name, matching[0], problems);
                if (baked is not null)
                {
                    return result with { Plan = plan with { Weights = baked } };
                }

                string listed = string.Join("; ", problems.Take(MaxListedProblems))
                    + (problems.Count > MaxListedProblems ? string.Format(CultureInfo.InvariantCulture, "; and {0} more", problems.Count - MaxListedProblems) : string.Empty);
                problem = DiagnosticInfo.Create(DiagnosticDescriptors.WeightsMismatch, request.Location, request.Name, request.NetworkName, listed);
            }

            return result with { Plan = null, Diagnostics = result.Diagnostics.Concat(new[] { problem }).ToEquatableArray() };
        }

        /// <summary>Matches the file's tensors to the plan's and converts them to F32; null (and the problems) on any mismatch.</summary>
        private static BakedWeights? Bake(NetworkPlan plan, string name, WeightsFile file, List<string> problems)
        {
            var byName = new Dictionary<string, SafetensorsEntry>(StringComparer.Ordinal);
            foreach (SafetensorsEntry entry in file.Tensors)
            {
                byName[entry.Name] = entry;
            }

            var keys = new HashSet<string>(StringComparer.Ordinal);
            var matches = new List<(TensorPlan Tensor, SafetensorsEntry Entry)>();
            foreach (LayerPlan layer in plan.Layers)
            {
                foreach (TensorPlan tensor in layer.Tensors)
                {
                    string key = layer.Name + "." + tensor.Suffix;
                    keys.Add(key);
                    if (!byName.TryGetValue(key, out SafetensorsEntry? entry))
                    {
                        problems.Add(key + ": missing from the file");
                        continue;
                    }

                    var reasons = new List<string>(2);
                    if (!SafetensorsParser.IsFloat(entry.DType))
                    {
                        reasons.Add("dtype " + entry.DType + " in the file, expected a float dtype (F32, F64, F16 or BF16)");
                    }

                    if (!entry.Shape.AsSpan().SequenceEqual(tensor.Shape.AsSpan()))
                    {
                        reasons.Add("shape " + SafetensorsParser.FormatShape(tensor.Shape) + " expected, file has " + SafetensorsParser.FormatShape(entry.Shape));
                    }

                    if (reasons.Count > 0)
                    {
                        problems.Add(key + ": " + string.Join("; ", reasons));
                        continue;
                    }

                    matches.Add((tensor, entry));
                }
            }

            foreach (SafetensorsEntry entry in file.Tensors)
            {
                if (!keys.Contains(entry.Name)
                    && !entry.Name.StartsWith(OptimizerPrefix, StringComparison.Ordinal)
                    && !entry.Name.EndsWith(NumBatchesTrackedSuffix, StringComparison.Ordinal))
                {
                    problems.Add(entry.Name + ": not a tensor of this network");
                }
            }

            if (problems.Count > 0)
            {
                return null;
            }

            byte[] parameters = new byte[4 * plan.ParameterCount];
            byte[] buffers = new byte[4 * plan.BufferCount];
            ReadOnlySpan<byte> data = file.Data.AsSpan();
            foreach ((TensorPlan tensor, SafetensorsEntry entry) in matches)
            {
                Span<float> target = MemoryMarshal.Cast<byte, float>((tensor.IsBuffer ? buffers : parameters).AsSpan(4 * tensor.Offset, 4 * tensor.Length));
                ToSingles(entry.DType, data.Slice(entry.Begin, entry.End - entry.Begin), target);
            }

            return new BakedWeights(name, file.Sha256, new EquatableBytes(parameters), new EquatableBytes(buffers));
        }

        /// <summary>Converts little-endian F32, F64, F16 or BF16 values to floats, as the runtime's reader does.</summary>
        private static void ToSingles(string dtype, ReadOnlySpan<byte> bytes, Span<float> target)
        {
            for (int i = 0; i < target.Length; i++)
            {
                target[i] = dtype switch
                {
                    "F32" => BitsToSingle(ReadUInt32(bytes.Slice(4 * i))),
                    "F64" => (float)BitConverter.Int64BitsToDouble(unchecked((long)(ReadUInt32(bytes.Slice(8 * i)) | ((ulong)ReadUInt32(bytes.Slice((8 * i) + 4)) << 32)))),
                    "BF16" => BitsToSingle((uint)ReadUInt16(bytes.Slice(2 * i)) << 16),
                    _ => HalfToSingle(ReadUInt16(bytes.Slice(2 * i))),
                };
            }
        }

        /// <summary>IEEE binary16 to binary32, exactly (every half is a float).</summary>
        private static float HalfToSingle(ushort h)
        {
            uint sign = (uint)(h >> 15) << 31;
            int exponent = (h >> 10) & 0x1F;
            uint mantissa = (uint)(h & 0x3FF);
            if (exponent == 0)
            {
                // Zero or subnormal: mantissa × 2^-24, exact in a float.
                float magnitude = mantissa * (1f / 16777216f);
                return sign != 0 ? -magnitude : magnitude;
            }

            if (exponent == 0x1F)
            {
                return BitsToSingle(sign | 0x7F800000u | (mantissa << 13));
            }

            return BitsToSingle(sign | ((uint)(exponent - 15 + 127) << 23) | (mantissa << 13));
        }

        private static uint ReadUInt32(ReadOnlySpan<byte> b) => b[0] | ((uint)b[1] << 8) | ((uint)b[2] << 16) | ((uint)b[3] << 24);

        private static ushort ReadUInt16(ReadOnlySpan<byte> b) => (ushort)(b[0] | (b[1] << 8));

        private static float BitsToSingle(uint bits)
        {
            Span<uint> cell = stackalloc uint[1];
            cell[0] = bits;
            return MemoryMarshal.Cast<uint, float>(cell)[0];
        }

        /// <summary>A file over <see cref="MaxFileBytes"/>; caught in <see cref="Read"/>, never leaves this class.</summary>
        private sealed class TooLarge(string message) : Exception(message);
    }
}
