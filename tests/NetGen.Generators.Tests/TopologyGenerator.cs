using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace NetGen.Generators.Tests;

/// <summary>
/// Deterministic random network declarations: plausible topologies that follow the shape (mostly valid, with
/// the odd wrong value), and mutations of LeNet-5 (attributes deleted, duplicated, swapped; arguments set to
/// zero, negative or huge; Stride, Padding and Name added).
/// </summary>
internal sealed class TopologyGenerator(int seed)
{
    /// <summary>LeNet-5 exactly as samples/LeNet/LeNet5.cs declares it.</summary>
    public static readonly IReadOnlyList<Attr> LeNet5 =
    [
        Attr.Input(1, 28, 28),
        Attr.Conv2D(6, 5, padding: 2), Attr.Plain("ReLU"), Attr.MaxPool2D(2),
        Attr.Conv2D(16, 5), Attr.Plain("ReLU"), Attr.MaxPool2D(2),
        Attr.Dense(120), Attr.Plain("ReLU"),
        Attr.Dense(84), Attr.Plain("ReLU"),
        Attr.Dense(10),
    ];

    private static readonly int[] s_oddInts = [0, -1, -7, 1, 2, 3, 5, 28, 1000, 65536, 100_000, 1 << 30, int.MaxValue, int.MinValue];

    private static readonly string[] s_activations = ["ReLU", "Sigmoid", "Tanh"];

    private static readonly string[] s_kinds = ["Dense", "Conv2D", "MaxPool2D", "AvgPool2D", "Flatten", "ReLU", "Sigmoid", "Tanh", "Softmax", "Dropout", "BatchNorm"];

    /// <summary>Names a user might write, good and bad; several collide with defaults or generated members.</summary>
    private static readonly string[] s_names =
    [
        "\"conv1\"", "\"dense1\"", "\"relu1\"", "\"hidden\"", "\"hidden\"", "\"features\"", "\"Dense1\"", "\"x\"", "\"_\"",
        "\"_tail\"", "\"1abc\"", "\"\"", "\"a b\"", "\"predict\"", "\"layers\"", "\"forward\"", "\"inputSize\"",
        "\"conv1Forward\"", "\"ÿ1\"", "null", "\"classifier\"", "\"head\"",
    ];

    private readonly Random _random = new(seed);

    private int _serial;

    /// <summary>A topology built along its shape: valid unless <paramref name="allowMistakes"/> lets a wrong value in.</summary>
    public Topology NextRandom(bool allowMistakes = true)
    {
        var attrs = new List<Attr>();
        int rank = _random.Next(1, 4);
        int[] dims = rank switch
        {
            1 => [_random.Next(1, 65)],
            2 => [_random.Next(3, 20), _random.Next(3, 20)],
            _ => [_random.Next(1, 4), _random.Next(3, 20), _random.Next(3, 20)],
        };
        attrs.Add(Attr.Input(dims));
        (int c, int h, int w, bool flat) = rank switch
        {
            1 => (dims[0], 1, 1, true),
            2 => (1, dims[0], dims[1], false),
            _ => (dims[0], dims[1], dims[2], false),
        };

        int count = _random.Next(1, 9);
        for (int i = 0; i < count; i++)
        {
            // Half the time a Dense or Conv2D is followed by an activation, as in most real networks, and a
            // quarter of the time by a BatchNorm (defaults, or sensible values of its own).
            Attr layer = attrs[^1].Kind is "Dense" or "Conv2D"
                ? _random.Next(4) switch
                {
                    0 or 1 => Attr.Plain(Pick(s_activations)),
                    2 => _random.Next(2) == 0 ? Attr.Plain("BatchNorm") : new Attr("BatchNorm", [], Epsilon: "1e-3f", Momentum: "0.01f"),
                    _ => NextLayer(c, h, w, flat),
                }
                : NextLayer(c, h, w, flat);
            attrs.Add(layer);
            switch (layer.Kind)
            {
                case "Dense":
                    (c, h, w, flat) = (layer.Args[0], 1, 1, true);
                    break;
                case "Flatten":
                    (c, h, w, flat) = (c * h * w, 1, 1, true);
                    break;
                case "Conv2D":
                {
                    int k = layer.Args[1], s = layer.Stride ?? 1, p = layer.Padding ?? 0;
                    (c, h, w) = (layer.Args[0], ((h + (2 * p) - k) / s) + 1, ((w + (2 * p) - k) / s) + 1);
                    break;
                }

                case "MaxPool2D" or "AvgPool2D":
                {
                    int k = layer.Args[0], s = layer.Stride ?? k;
                    (h, w) = (((h - k) / s) + 1, ((w - k) / s) + 1);
                    break;
                }
            }
        }

        if (allowMistakes && _random.NextDouble() < 0.3)
        {
            int at = _random.Next(1, attrs.Count);
            attrs[at] = Perturb(attrs[at]);
        }

        if (allowMistakes && _random.NextDouble() < 0.1)
        {
            int at = _random.Next(1, attrs.Count);
            attrs[at] = attrs[at] with { Name = Pick(s_names) };
        }

        return new Topology(NextClassName(), attrs);
    }

    /// <summary>
    /// A graph: a stem, then one to three blocks (an identity or projection residual joined by Add, branches joined by
    /// Concat, a value added to itself), then a head (GlobalAvgPool2D or Flatten, Dense). Layers that blocks read get
    /// names of their own; with <paramref name="allowMistakes"/> about a third get one wrong reference or shape: a
    /// name of a later layer, of the layer itself or of no layer, an operand of another shape, a branch nothing reads.
    /// </summary>
    public Topology NextGraph(bool allowMistakes = true)
    {
        var attrs = new List<Attr>();
        bool flat = _random.Next(4) == 0;
        var x = flat ? new GraphValue("", _random.Next(2, 17), 1, 1, true) : new GraphValue("", _random.Next(1, 4), _random.Next(4, 13), _random.Next(4, 13), false);
        attrs.Add(flat ? Attr.Input(x.C) : Attr.Input(x.C, x.H, x.W));
        int serial = 0;
        string NewName() => "v" + (serial++).ToString(CultureInfo.InvariantCulture);

        // Appends a layer reading `from` (null: the previous layer) and returns its output.
        GraphValue Emit(Attr layer, GraphValue input, string? from = null)
        {
            string name = NewName();
            attrs.Add(layer with { Name = Quote(name), From = from is null ? null : Quote(from) });
            return layer.Kind switch
            {
                "Conv2D" => input with
                {
                    Name = name, C = layer.Args[0],
                    H = ((input.H + (2 * (layer.Padding ?? 0)) - layer.Args[1]) / (layer.Stride ?? 1)) + 1,
                    W = ((input.W + (2 * (layer.Padding ?? 0)) - layer.Args[1]) / (layer.Stride ?? 1)) + 1,
                },
                "Dense" => new GraphValue(name, layer.Args[0], 1, 1, true),
                "GlobalAvgPool2D" => new GraphValue(name, input.C, 1, 1, true),
                "Flatten" => new GraphValue(name, input.C * input.H * input.W, 1, 1, true),
                _ => input with { Name = name },
            };
        }

        // A layer that keeps the shape: a same-padded convolution of as many filters, a Dense of as many units, an activation or BatchNorm.
        Attr SameShape(GraphValue v) => _random.Next(3) switch
        {
            0 => Attr.Plain(Pick(s_activations)),
            1 => Attr.Plain("BatchNorm"),
            _ => v.Flat ? Attr.Dense(v.C) with { Bias = _random.Next(3) == 0 ? false : null } : Attr.Conv2D(v.C, 3, padding: 1) with { Bias = _random.Next(2) == 0 ? false : null },
        };

        x = Emit(flat ? Attr.Dense(_random.Next(2, 9)) : Attr.Conv2D(_random.Next(2, 7), 3, padding: 1) with { Bias = false }, x);
        x = Emit(Attr.Plain(Pick(s_activations)), x);
        int blocks = _random.Next(1, 4);
        for (int b = 0; b < blocks; b++)
        {
            GraphValue start = x;
            switch (_random.Next(4))
            {
                case 0 or 1:
                {
                    // A residual: two shape-keeping layers, or (spatial, even sides) a stride-2 path and a projection.
                    bool project = !x.Flat && x.H >= 4 && x.W >= 4 && _random.Next(2) == 0;
                    GraphValue main;
                    if (project)
                    {
                        int filters = _random.Next(2, 9);
                        main = Emit(Attr.Conv2D(filters, 3, stride: 2, padding: 1) with { Bias = false }, x);
                        main = Emit(Attr.Plain("BatchNorm"), main);
                        GraphValue shortcut = Emit(Attr.Conv2D(filters, 1, stride: 2) with { Bias = false }, start, start.Name);
                        x = Emit(Attr.Join("Add", main.Name), shortcut);
                    }
                    else
                    {
                        main = Emit(SameShape(x), x);
                        main = Emit(SameShape(main), main);
                        x = Emit(Attr.Join("Add", start.Name), main);
                    }

                    x = Emit(Attr.Plain("ReLU"), x);
                    break;
                }

                case 2:
                {
                    // Branches from one value, joined by Concat (with the value itself half the time).
                    GraphValue first = Emit(x.Flat ? Attr.Dense(_random.Next(1, 9)) : Attr.Conv2D(_random.Next(1, 6), 1), x);
                    GraphValue second = Emit(x.Flat ? Attr.Dense(_random.Next(1, 9)) : Attr.Conv2D(_random.Next(1, 6), 3, padding: 1), start, start.Name);
                    bool withStart = _random.Next(2) == 0;
                    x = Emit(withStart ? Attr.Join("Concat", first.Name, start.Name) : Attr.Join("Concat", first.Name), second);
                    x = x with { C = second.C + first.C + (withStart ? start.C : 0) };
                    break;
                }

                default:
                    // A value added to itself.
                    x = Emit(Attr.Join("Add", x.Name), x);
                    break;
            }
        }

        if (!x.Flat)
        {
            x = Emit(_random.Next(2) == 0 ? Attr.Plain("GlobalAvgPool2D") : Attr.Plain("Flatten"), x);
        }

        Emit(Attr.Dense(_random.Next(1, 6)), x);

        if (allowMistakes && _random.NextDouble() < 0.35)
        {
            int at = _random.Next(2, attrs.Count);
            attrs[at] = _random.Next(5) switch
            {
                // A name of a later layer, of this layer, of no layer.
                0 => attrs[at] with { From = Quote("v" + (serial + 3).ToString(CultureInfo.InvariantCulture)) },
                1 => attrs[at] with { From = attrs[at].Name },
                2 when attrs[at].Joins is not null => attrs[at] with { Joins = [Quote("nowhere")] },
                // An operand of another shape: the stem's first output (other channels or sides, often).
                3 when attrs[at].Joins is not null => attrs[at] with { Joins = [Quote("v0"), .. attrs[at].Joins!] },
                // A branch nothing reads: read an earlier value instead of the previous one.
                _ when at >= 3 => attrs[at] with { From = Quote("v0") },
                _ => Perturb(attrs[at]) with { Name = attrs[at].Name },
            };
        }

        return new Topology(NextClassName(), attrs);
    }

    /// <summary>A value of <see cref="NextGraph"/>: the layer that makes it and its shape.</summary>
    private readonly record struct GraphValue(string Name, int C, int H, int W, bool Flat);

    private static string Quote(string name) => Attr.Quote(name);

    /// <summary>LeNet-5 with one to three random edits.</summary>
    public Topology NextLeNetMutation()
    {
        var attrs = LeNet5.ToList();
        int edits = _random.Next(1, 4);
        for (int e = 0; e < edits; e++)
        {
            int at = _random.Next(attrs.Count);
            switch (_random.Next(8))
            {
                case 0 when attrs.Count > 1:
                    attrs.RemoveAt(at);
                    break;
                case 1:
                    attrs.Insert(at, attrs[at]);
                    break;
                case 2:
                    int other = _random.Next(attrs.Count);
                    (attrs[at], attrs[other]) = (attrs[other], attrs[at]);
                    break;
                case 3:
                    attrs[at] = attrs[at] with { Args = attrs[at].Args.Select(a => _random.NextDouble() < 0.5 ? Pick(s_oddInts) : a).ToArray() };
                    break;
                case 4 when attrs[at].TakesStride:
                    attrs[at] = attrs[at] with { Stride = Pick(s_oddInts) };
                    break;
                case 5 when attrs[at].TakesPadding:
                    attrs[at] = attrs[at] with { Padding = Pick(s_oddInts) };
                    break;
                case 6 when attrs[at].IsLayer:
                    attrs[at] = attrs[at] with { Name = Pick(s_names) };
                    break;
                default:
                    attrs.Insert(at, NewLayerOfAnyKind());
                    break;
            }
        }

        return new Topology(NextClassName(), attrs);
    }

    private string NextClassName() => "Net" + (_serial++).ToString(CultureInfo.InvariantCulture);

    /// <summary>A layer that fits the current shape.</summary>
    private Attr NextLayer(int c, int h, int w, bool flat)
    {
        double roll = _random.NextDouble();
        if (!flat && roll < 0.35)
        {
            int padding = _random.Next(3) == 0 ? _random.Next(0, 3) : 0;
            int kernel = _random.Next(1, Math.Min(h, w) + (2 * padding) + 1);
            kernel = Math.Min(kernel, 5);
            int? stride = _random.Next(3) == 0 ? _random.Next(1, 4) : null;
            return Attr.Conv2D(_random.Next(1, 9), kernel, stride, padding == 0 && _random.Next(2) == 0 ? null : padding);
        }

        if (!flat && roll < 0.5 && Math.Min(h, w) >= 2)
        {
            int size = _random.Next(1, Math.Min(Math.Min(h, w), 3) + 1);
            int? stride = _random.Next(3) == 0 ? _random.Next(1, 3) : null;
            return _random.Next(2) == 0 ? Attr.MaxPool2D(size, stride) : Attr.AvgPool2D(size, stride);
        }

        if (!flat && roll < 0.6)
        {
            return Attr.Plain("Flatten");
        }

        if (roll < 0.75)
        {
            return Attr.Dense(_random.Next(1, 33));
        }

        if (roll < 0.9)
        {
            return Attr.Plain(Pick(s_activations));
        }

        if (roll < 0.95 || !flat)
        {
            return Attr.Dropout(MathF.Round((float)_random.NextDouble() * 0.9f, 2));
        }

        return Attr.Plain("Softmax");
    }

    /// <summary>Any layer kind with arguments that may or may not make sense.</summary>
    private Attr NewLayerOfAnyKind()
    {
        string kind = Pick(s_kinds);
        return kind switch
        {
            "Dense" => Attr.Dense(Pick(s_oddInts)),
            "Conv2D" => Attr.Conv2D(Pick(s_oddInts), Pick(s_oddInts), _random.Next(2) == 0 ? Pick(s_oddInts) : null, _random.Next(2) == 0 ? Pick(s_oddInts) : null),
            "MaxPool2D" => Attr.MaxPool2D(Pick(s_oddInts)),
            "AvgPool2D" => Attr.AvgPool2D(Pick(s_oddInts), _random.Next(2) == 0 ? Pick(s_oddInts) : null),
            "Dropout" => NewDropout(),
            "BatchNorm" => NewBatchNorm(),
            _ => Attr.Plain(kind),
        };
    }

    private Attr NewDropout() => new("Dropout", [], Rate: Pick(["0f", "0.5f", "1f", "-0.1f", "0.9999999f", "float.NaN", "float.PositiveInfinity", "2"]));

    private Attr NewBatchNorm() => new(
        "BatchNorm",
        [],
        Epsilon: Pick<string?>([null, "1e-5f", "0.5f", "0f", "-1e-5f", "float.NaN", "float.PositiveInfinity", "float.Epsilon"]),
        Momentum: Pick<string?>([null, "0.1f", "0f", "1f", "1.0000001f", "-0.1f", "float.NaN", "2"]));

    /// <summary>One wrong or odd value in an otherwise sensible layer.</summary>
    private Attr Perturb(Attr layer) => layer.Kind switch
    {
        "Dropout" => NewDropout() with { Name = layer.Name },
        "BatchNorm" => NewBatchNorm() with { Name = layer.Name },
        "Conv2D" => _random.Next(3) switch
        {
            0 => layer with { Args = [Pick(s_oddInts), layer.Args[1]] },
            1 => layer with { Args = [layer.Args[0], Pick(s_oddInts)] },
            _ => layer with { Padding = Pick(s_oddInts), Stride = Pick(s_oddInts) },
        },
        "MaxPool2D" or "AvgPool2D" => _random.Next(2) == 0 ? layer with { Args = [Pick(s_oddInts)] } : layer with { Stride = Pick(s_oddInts) },
        "Dense" => layer with { Args = [Pick(s_oddInts)] },
        _ => NewLayerOfAnyKind(),
    };

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];
}
