using System;
using System.Collections.Generic;
using System.Linq;

namespace NetGen.Generators.Tests;

/// <summary>What a topology should give, worked out without the generator.</summary>
internal enum Verdict
{
    /// <summary>Must compile, with no diagnostics.</summary>
    Valid,

    /// <summary>Must fail with NG diagnostics.</summary>
    Invalid,

    /// <summary>Near a size limit whose exact accounting is the generator's business: either outcome is acceptable.</summary>
    Either,
}

/// <summary>The expectation for one topology: verdict, why, and for valid ones the sizes.</summary>
internal sealed record Expectation(Verdict Verdict, string Reason, long ParameterCount, long InputSize, long OutputSize, IReadOnlyList<string> LayerNames);

/// <summary>
/// An independent model of NetGen's rules, written from the documented contract (DESIGN.md, the diagnostic
/// messages and the attributes' docs), not from the generator's code: shape arithmetic
/// (conv out = ⌊(in + 2p − k) / s⌋ + 1, pool out = ⌊(in − k) / s⌋ + 1), parameter counts
/// (conv F·C·K·K + F, dense out·in + out, no + F or + out with Bias = false), default names and the 32-bit size
/// limit, all in 64-bit arithmetic; graphs: From, Add (one shape) and Concat (along C, equal H and W, or flat),
/// every reference to an earlier layer, every output but the last read by a later layer.
/// </summary>
internal static class ReferenceModel
{
    /// <summary>Largest buffer NetGen supports, in floats (keeps byte offsets inside 32-bit ints).</summary>
    public const long MaxFloats = int.MaxValue / 8;

    /// <summary>Members every generated network has; a layer's property or kernels must not take these names.</summary>
    private static readonly HashSet<string> s_generatedMembers = new(StringComparer.Ordinal)
    {
        "InputSize", "OutputSize", "ParameterCount", "WorkspaceSize", "LogitsOffset", "EndsWithSoftmax",
        "Parameters", "Layers", "Predict", "Forward", "Backward", "Equals", "GetHashCode", "ToString", "GetType",
        "MemberwiseClone", "Finalize",
    };

    private static readonly Dictionary<string, string> s_prefixes = new(StringComparer.Ordinal)
    {
        ["Dense"] = "dense", ["Conv2D"] = "conv", ["MaxPool2D"] = "maxpool", ["AvgPool2D"] = "avgpool",
        ["Flatten"] = "flatten", ["ReLU"] = "relu", ["Sigmoid"] = "sigmoid", ["Tanh"] = "tanh",
        ["Softmax"] = "softmax", ["Dropout"] = "dropout", ["BatchNorm"] = "bn",
        ["Add"] = "add", ["Concat"] = "concat", ["GlobalAvgPool2D"] = "gap",
    };

    /// <summary>A shape between layers: flat [C] or spatial [C, H, W] (all 64-bit, so overflow cannot hide).</summary>
    private readonly record struct Dims(long C, long H, long W, bool Flat)
    {
        public long Size => C * H * W;
    }

    public static Expectation Evaluate(Topology topology)
    {
        var names = new List<string>();
        Expectation Invalid(string reason) => new(Verdict.Invalid, reason, 0, 0, 0, names);

        IReadOnlyList<Attr> attrs = topology.Attributes;
        if (attrs.Count == 0 || attrs[0].Kind != "Input")
        {
            return Invalid("no [Input] first");
        }

        if (attrs.Skip(1).Any(a => a.Kind == "Input"))
        {
            return Invalid("[Input] repeated");
        }

        int[] input = attrs[0].Args;
        if (input.Length is < 1 or > 3)
        {
            return Invalid("input rank");
        }

        if (input.Any(d => d <= 0))
        {
            return Invalid("input dimension not positive");
        }

        var shape = input.Length switch
        {
            1 => new Dims(input[0], 1, 1, true),
            2 => new Dims(1, input[0], input[1], false),
            _ => new Dims(input[0], input[1], input[2], false),
        };
        long inputSize = shape.Size;
        if (inputSize > MaxFloats)
        {
            return Invalid("input too large");
        }

        List<Attr> layers = [.. attrs.Skip(1)];
        if (layers.Count == 0 || layers.All(l => l.Kind == "Flatten"))
        {
            return Invalid("no layers");
        }

        // Names: the kind's prefix and a per-kind ordinal unless Name is given; identifiers, unique, and the
        // generated members (property, <Property>Forward, <Property>Backward) clash with nothing.
        bool nearPrivateField = false;
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        var members = new HashSet<string>(s_generatedMembers, StringComparer.Ordinal) { topology.ClassName };
        foreach (Attr layer in layers)
        {
            counters[layer.Kind] = counters.GetValueOrDefault(layer.Kind) + 1;
            string? given = layer.Name is null or "null" ? null : Unquote(layer.Name);
            string name = given ?? s_prefixes[layer.Kind] + counters[layer.Kind].ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!IsAsciiIdentifier(name))
            {
                return Invalid("name '" + name + "' is not an identifier");
            }

            if (names.Contains(name, StringComparer.Ordinal))
            {
                return Invalid("duplicate name '" + name + "'");
            }

            names.Add(name);
            string property = char.ToUpperInvariant(name[0]) + name[1..];
            foreach (string member in new[] { property, property + "Forward", property + "Backward" })
            {
                if (!members.Add(member))
                {
                    return Invalid("member '" + member + "' clashes");
                }
            }

            // The generated class has private fields too; whether a name like "_parameters" is refused or the
            // fields are renamed is the generator's choice, so only the build outcome is checked then.
            nearPrivateField |= property.StartsWith('_') || property.StartsWith("S_", StringComparison.Ordinal);
        }

        // Operands: the previous layer's output (the input's for the first), or From's, then Add's and Concat's
        // names; each must name an earlier layer.
        var operands = new int[layers.Count][];
        for (int i = 0; i < layers.Count; i++)
        {
            Attr layer = layers[i];
            string? from = layer.From is null or "null" ? null : Unquote(layer.From);
            var reads = new List<string?> { from };
            reads.AddRange((layer.Joins ?? []).Select(Unquote));
            var producers = new List<int>();
            foreach (string? name in reads)
            {
                int producer = name is null ? i - 1 : names.IndexOf(name);
                if (name is not null && (producer < 0 || producer >= i))
                {
                    return Invalid(layer + " reads '" + name + "', which is no earlier layer");
                }

                producers.Add(producer);
            }

            operands[i] = [.. producers];
        }

        long parameters = 0, activations = 0;
        var outputs = new Dims[layers.Count];
        for (int i = 0; i < layers.Count; i++)
        {
            Attr layer = layers[i];
            Dims[] read = [.. operands[i].Select(p => p < 0 ? shape : outputs[p])];
            Dims? next = read.Length > 1 ? Join(layer, read, out string? error) : Next(layer, read[0], ref parameters, out error);
            if (next is not Dims output)
            {
                return Invalid(layer + ": " + error);
            }

            if (output.Size > MaxFloats)
            {
                return Invalid(layer + ": output of " + output.Size + " floats");
            }

            if (parameters > MaxFloats)
            {
                return Invalid(layer + ": " + parameters + " parameters");
            }

            activations += output.Size;
            outputs[i] = output;
        }

        // Every output but the last must be read by a later layer (it would not affect the network's output).
        for (int i = 0; i < layers.Count - 1; i++)
        {
            if (!operands.Skip(i + 1).Any(o => o.Contains(i)))
            {
                return Invalid("the output of '" + names[i] + "' is read by no later layer");
            }
        }

        shape = outputs[^1];

        // The workspace holds outputs, gradients and masks with some alignment: at most a few times the
        // activations. Far below the limit it must fit; near it, either outcome is fine.
        Verdict verdict = nearPrivateField || (activations * 4) + (64L * layers.Count) > MaxFloats ? Verdict.Either : Verdict.Valid;
        return new Expectation(verdict, verdict == Verdict.Valid ? "valid" : "near a limit", parameters, inputSize, shape.Size, names);
    }

    /// <summary>Add's and Concat's output: one shape for Add; for Concat all flat, or all [C, H, W] of one height and width, channels summed.</summary>
    private static Dims? Join(Attr layer, Dims[] operands, out string? error)
    {
        error = null;
        Dims first = operands[0];
        if (layer.Kind == "Add")
        {
            if (operands.Any(o => o != first))
            {
                error = "Add of different shapes";
                return null;
            }

            return first;
        }

        if (operands.Any(o => o.Flat != first.Flat || o.H != first.H || o.W != first.W))
        {
            error = "Concat of a flat and a spatial shape, or of different heights or widths";
            return null;
        }

        return first with { C = operands.Sum(o => o.C) };
    }

    /// <summary>One layer's output shape (null with an error when it cannot work); adds its parameters.</summary>
    private static Dims? Next(Attr layer, Dims x, ref long parameters, out string? error)
    {
        error = null;
        int a0 = layer.Args.Length > 0 ? layer.Args[0] : 0, a1 = layer.Args.Length > 1 ? layer.Args[1] : 0;
        switch (layer.Kind)
        {
            case "Dense":
                if (a0 <= 0)
                {
                    error = "units not positive";
                    return null;
                }

                parameters += (a0 * x.Size) + (layer.Bias == false ? 0 : a0);
                return new Dims(a0, 1, 1, true);

            case "Conv2D":
            {
                long f = a0, k = a1, s = layer.Stride ?? 1, p = layer.Padding ?? 0;
                if (f <= 0 || k <= 0 || s <= 0 || p < 0 || x.Flat)
                {
                    error = "bad filters/kernel/stride/padding or flat input";
                    return null;
                }

                long h = x.H + (2 * p), w = x.W + (2 * p);
                if (k > h || k > w)
                {
                    error = "kernel larger than the padded input";
                    return null;
                }

                parameters += (f * x.C * k * k) + (layer.Bias == false ? 0 : f);
                return new Dims(f, ((h - k) / s) + 1, ((w - k) / s) + 1, false);
            }

            case "MaxPool2D" or "AvgPool2D":
            {
                long k = a0, s = layer.Stride ?? a0;
                if (k <= 0 || s <= 0 || x.Flat)
                {
                    error = "bad size/stride or flat input";
                    return null;
                }

                if (k > x.H || k > x.W)
                {
                    error = "window larger than the input";
                    return null;
                }

                return new Dims(x.C, ((x.H - k) / s) + 1, ((x.W - k) / s) + 1, false);
            }

            case "Flatten":
                return new Dims(x.Size, 1, 1, true);

            case "GlobalAvgPool2D":
                if (x.Flat)
                {
                    error = "global average pooling of a flat shape";
                    return null;
                }

                return new Dims(x.C, 1, 1, true);

            case "Softmax":
                if (!x.Flat)
                {
                    error = "softmax on a spatial shape";
                    return null;
                }

                return x;

            case "Dropout":
                float rate = RateOf(layer.Rate!);
                if (!(rate >= 0f && rate < 1f))
                {
                    error = "rate outside [0, 1)";
                    return null;
                }

                return x;

            case "BatchNorm":
            {
                // Per channel (a flat input's every value is a channel): γ and β; ε finite and > 0, momentum in [0, 1].
                float epsilon = layer.Epsilon is null ? 1e-5f : RateOf(layer.Epsilon);
                float momentum = layer.Momentum is null ? 0.1f : RateOf(layer.Momentum);
                if (!(float.IsFinite(epsilon) && epsilon > 0f) || !(momentum >= 0f && momentum <= 1f))
                {
                    error = "epsilon not finite and > 0, or momentum outside [0, 1]";
                    return null;
                }

                parameters += 2 * x.C;
                return x;
            }

            default:
                return x;
        }
    }

    private static float RateOf(string literal) => literal switch
    {
        "float.NaN" => float.NaN,
        "float.PositiveInfinity" => float.PositiveInfinity,
        "float.NegativeInfinity" => float.NegativeInfinity,
        "float.Epsilon" => float.Epsilon,
        _ => float.Parse(literal.TrimEnd('f'), System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string Unquote(string literal) => literal[1..^1].Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);

    private static bool IsAsciiIdentifier(string name) =>
        name.Length > 0
        && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}
