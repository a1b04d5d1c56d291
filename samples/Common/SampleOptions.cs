// Shared by the samples that parse with System.CommandLine (compiled into each with <Compile Include="../Common/..." />).
using System;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace NetGen.Samples;

/// <summary>
/// Options that check their value while the command line is parsed, before a sample does any work: a value that
/// is not a number, or outside its <see cref="Bounds"/> (NaN and the infinities included), or not among the
/// choices, is a parse error that names the option and what it accepts, e.g.
/// <c>--lr: expected a finite number &gt; 0, got 'nan'</c>.
/// </summary>
internal static class SampleOptions
{
    /// <summary>An integer option with a default.</summary>
    public static Option<int> Int(string name, string description, int defaultValue, Bounds bounds) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue, CustomParser = r => ParseInt(r, name, bounds) ?? defaultValue };

    /// <summary>An integer option that is null unless given.</summary>
    public static Option<int?> OptionalInt(string name, string description, Bounds bounds) =>
        new(name) { Description = description, CustomParser = r => ParseInt(r, name, bounds) };

    /// <summary>A float option with a default.</summary>
    public static Option<float> Float(string name, string description, float defaultValue, Bounds bounds) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue, CustomParser = r => (float?)ParseReal(r, name, bounds, single: true) ?? defaultValue };

    /// <summary>A float option that is null unless given.</summary>
    public static Option<float?> OptionalFloat(string name, string description, Bounds bounds) =>
        new(name) { Description = description, CustomParser = r => (float?)ParseReal(r, name, bounds, single: true) };

    /// <summary>A double option with a default.</summary>
    public static Option<double> Double(string name, string description, double defaultValue, Bounds bounds) =>
        new(name) { Description = description, DefaultValueFactory = _ => defaultValue, CustomParser = r => ParseReal(r, name, bounds, single: false) ?? defaultValue };

    /// <summary>A string option that takes one of <paramref name="choices"/> (shown in help as <c>a|b|c</c>).</summary>
    public static Option<string> Choice(string name, string description, string defaultValue, params string[] choices) =>
        new(name)
        {
            Description = description,
            HelpName = string.Join('|', choices),
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r =>
            {
                string given = Token(r);
                if (Array.IndexOf(choices, given) < 0)
                {
                    r.AddError($"{name}: expected one of {string.Join(", ", choices)}, got '{given}'");
                    return defaultValue;
                }

                return given;
            },
        };

    private static int? ParseInt(ArgumentResult result, string name, Bounds bounds)
    {
        string given = Token(result);
        if (int.TryParse(given, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value) && bounds.Contains(value))
        {
            return value;
        }

        result.AddError($"{name}: {bounds.Expected(integer: true, given)}");
        return null;
    }

    /// <summary>The value, or null after adding the error; with <paramref name="single"/> it must also be finite as a float.</summary>
    private static double? ParseReal(ArgumentResult result, string name, Bounds bounds, bool single)
    {
        string given = Token(result);
        if (double.TryParse(given, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            && (!single || float.IsFinite((float)value)) && bounds.Contains(single ? (float)value : value))
        {
            return single ? (float)value : value;
        }

        result.AddError($"{name}: {bounds.Expected(integer: false, given)}");
        return null;
    }

    private static string Token(ArgumentResult result) => result.Tokens.Count == 0 ? string.Empty : result.Tokens[^1].Value;
}
