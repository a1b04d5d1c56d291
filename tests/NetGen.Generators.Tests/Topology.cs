using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace NetGen.Generators.Tests;

/// <summary>
/// One attribute of a network declaration as the tests write it: <c>Input</c> or a layer kind, with its
/// positional arguments and optional named arguments. Values are kept as written, invalid ones included.
/// </summary>
/// <param name="Kind">Input, Dense, Conv2D, MaxPool2D, AvgPool2D, Flatten, ReLU, Sigmoid, Tanh, Softmax, Dropout, BatchNorm, Add, Concat or GlobalAvgPool2D.</param>
/// <param name="Args">Input: the dimensions. Dense: units. Conv2D: filters, kernel. Pools: size. Others: none.</param>
/// <param name="Rate">Dropout's rate as a C# expression (<c>0.5f</c>, <c>float.NaN</c>).</param>
/// <param name="Stride">The <c>Stride = …</c> argument, or null when absent.</param>
/// <param name="Padding">The <c>Padding = …</c> argument, or null when absent.</param>
/// <param name="Name">The <c>Name = …</c> argument as a C# expression (<c>"conv1"</c>, <c>null</c>), or null when absent.</param>
/// <param name="Epsilon">BatchNorm's <c>Epsilon = …</c> as a C# expression, or null when absent (1e-5).</param>
/// <param name="Momentum">BatchNorm's <c>Momentum = …</c> as a C# expression, or null when absent (0.1).</param>
/// <param name="From">The <c>From = …</c> argument as a C# expression (<c>"b1"</c>), or null when absent.</param>
/// <param name="Joins">Add's and Concat's layer names as C# expressions, the positional arguments; null for other kinds.</param>
/// <param name="Bias">The <c>Bias = …</c> argument of Conv2D and Dense, or null when absent (true).</param>
internal sealed record Attr(string Kind, int[] Args, string? Rate = null, int? Stride = null, int? Padding = null, string? Name = null, string? Epsilon = null, string? Momentum = null,
    string? From = null, string[]? Joins = null, bool? Bias = null)
{
    /// <summary><c>[Add("a", …)]</c> or <c>[Concat("a", …)]</c> of the layers named (plain names, quoted here).</summary>
    public static Attr Join(string kind, params string[] names) => new(kind, [], Joins: [.. names.Select(Quote)]);

    public static Attr Input(params int[] dims) => new("Input", dims);

    public static Attr Dense(int units) => new("Dense", [units]);

    public static Attr Conv2D(int filters, int kernel, int? stride = null, int? padding = null) => new("Conv2D", [filters, kernel], Stride: stride, Padding: padding);

    public static Attr MaxPool2D(int size, int? stride = null) => new("MaxPool2D", [size], Stride: stride);

    public static Attr AvgPool2D(int size, int? stride = null) => new("AvgPool2D", [size], Stride: stride);

    public static Attr Dropout(float rate) => new("Dropout", [], Rate: Literal(rate));

    public static Attr Plain(string kind) => new(kind, []);

    /// <summary>The kinds that take Stride (Conv2D and the pools) and Padding (Conv2D).</summary>
    public bool TakesStride => Kind is "Conv2D" or "MaxPool2D" or "AvgPool2D";

    public bool TakesPadding => Kind == "Conv2D";

    public bool IsLayer => Kind != "Input";

    /// <summary>The attribute as C# source, e.g. <c>Conv2D(6, 5, Padding = 2)</c>.</summary>
    public override string ToString()
    {
        var args = new List<string>();
        args.AddRange(Joins ?? []);
        args.AddRange(Args.Select(a => a.ToString(CultureInfo.InvariantCulture)));
        if (Rate is not null)
        {
            args.Add(Rate);
        }

        if (Stride is int s)
        {
            args.Add("Stride = " + s.ToString(CultureInfo.InvariantCulture));
        }

        if (Padding is int p)
        {
            args.Add("Padding = " + p.ToString(CultureInfo.InvariantCulture));
        }

        if (Epsilon is not null)
        {
            args.Add("Epsilon = " + Epsilon);
        }

        if (Momentum is not null)
        {
            args.Add("Momentum = " + Momentum);
        }

        if (Bias is bool bias)
        {
            args.Add("Bias = " + (bias ? "true" : "false"));
        }

        if (From is not null)
        {
            args.Add("From = " + From);
        }

        if (Name is not null)
        {
            args.Add("Name = " + Name);
        }

        // Attributes without arguments are written bare, as users do ([ReLU], not [ReLU()]).
        return args.Count == 0 && Kind != "Input" ? Kind : Kind + "(" + string.Join(", ", args) + ")";
    }

    public static string Literal(float value) => value switch
    {
        float.NaN => "float.NaN",
        float.PositiveInfinity => "float.PositiveInfinity",
        float.NegativeInfinity => "float.NegativeInfinity",
        _ => value.ToString("R", CultureInfo.InvariantCulture) + "f",
    };

    /// <summary>The string literal of a layer name (names in the tests need no escaping beyond quotes).</summary>
    public static string Quote(string name) => "\"" + name.Replace("\\", "\\\\", System.StringComparison.Ordinal).Replace("\"", "\\\"", System.StringComparison.Ordinal) + "\"";
}

/// <summary>A network declaration: a class name and its attributes in source order (after <c>[Network]</c>).</summary>
internal sealed record Topology(string ClassName, IReadOnlyList<Attr> Attributes)
{
    public IEnumerable<Attr> Layers => Attributes.Where(a => a.IsLayer);

    /// <summary>The declaration, one attribute list per line, in namespace <paramref name="ns"/>.</summary>
    public string ToSource(string ns = "Fuzz")
    {
        var text = new StringBuilder();
        text.Append("using NetGen;\n\nnamespace ").Append(ns).Append(";\n\n");
        AppendDeclaration(text);
        return text.ToString();
    }

    public void AppendDeclaration(StringBuilder text)
    {
        text.Append("[Network]\n");
        foreach (Attr a in Attributes)
        {
            text.Append('[').Append(a).Append("]\n");
        }

        text.Append("public partial class ").Append(ClassName).Append(";\n");
    }

    public override string ToString() => ClassName + ": " + string.Join(", ", Attributes);
}
