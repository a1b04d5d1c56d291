using System;
using System.Globalization;
using System.Text;

namespace NetGen.Generators.Emit;

/// <summary>An indenting source writer. All numbers are written with the invariant culture.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    /// <summary>Writes one line at the current indentation (an empty line when <paramref name="line"/> is empty).</summary>
    public CodeWriter Line(string line = "")
    {
        if (line.Length > 0)
        {
            _text.Append(' ', _indent * 4).Append(line);
        }

        _text.Append('\n');
        return this;
    }

    /// <summary>Writes <paramref name="header"/>, an opening brace, and indents.</summary>
    public CodeWriter Open(string header)
    {
        Line(header);
        Line("{");
        _indent++;
        return this;
    }

    /// <summary>Dedents and writes a closing brace (with an optional suffix such as <c>;</c>).</summary>
    public CodeWriter Close(string suffix = "")
    {
        _indent--;
        Line("}" + suffix);
        return this;
    }

    public override string ToString() => _text.ToString();

    /// <summary>An int literal.</summary>
    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A float literal that round-trips (<c>0.5f</c>, <c>1E-05f</c>).</summary>
    public static string Float(float value)
    {
        if (float.IsNaN(value) || float.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), "Only finite floats can be written as literals.");
        }

        return value.ToString("R", CultureInfo.InvariantCulture) + "f";
    }

    /// <summary>
    /// A float literal for data: 9 significant digits (enough to round-trip every float, on every runtime the
    /// compiler runs on), <c>-0f</c> for negative zero, and the named constants for NaN and the infinities.
    /// </summary>
    public static string ExactFloat(float value)
    {
        if (float.IsNaN(value))
        {
            return "float.NaN";
        }

        if (float.IsInfinity(value))
        {
            return value > 0 ? "float.PositiveInfinity" : "float.NegativeInfinity";
        }

        if (value == 0f)
        {
            return 1f / value < 0f ? "-0f" : "0f";
        }

        return value.ToString("G9", CultureInfo.InvariantCulture) + "f";
    }

    /// <summary>Formats with the invariant culture.</summary>
    public static string Format(string format, params object[] args) => string.Format(CultureInfo.InvariantCulture, format, args);
}
