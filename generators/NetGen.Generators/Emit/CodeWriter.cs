using System;
using System.Globalization;
using System.Text;

namespace NetGen.Generators.Emit;

/// <summary>An indenting source writer. All numbers are written with the invariant culture.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private readonly System.Collections.Generic.Stack<bool> _loops = new();
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

    /// <summary>
    /// Opens <c>for (int v = 0; v &lt; count; v++)</c> and returns <paramref name="variable"/>; for a count of 1
    /// writes nothing and returns <c>"0"</c>, the one value the index takes, for <see cref="Sum"/> and
    /// <see cref="RowMajor"/> to fold away. Close with <see cref="EndFor"/>. The loop's body must not hold a
    /// <c>continue</c> or <c>break</c> of its own: without the loop it would act on the one outside (such a loop
    /// passes <paramref name="keep"/> and stays a loop).
    /// </summary>
    public string For(string variable, int count, bool keep = false)
    {
        _loops.Push(keep || count != 1);
        if (count == 1 && !keep)
        {
            return "0";
        }

        Open("for (int " + variable + " = 0; " + variable + " < " + Int(count) + "; " + variable + "++)");
        return variable;
    }

    /// <summary>Closes what the matching <see cref="For"/> opened.</summary>
    public CodeWriter EndFor()
    {
        if (_loops.Pop())
        {
            Close();
        }

        return this;
    }

    /// <summary>
    /// An int expression Σ coefficient · variable + constant, folded: a term whose coefficient is 0 or whose
    /// variable is <c>"0"</c> vanishes, a coefficient of 1 is not written, and a constant of 0 is dropped
    /// (<c>oy + ky - 2</c>, not <c>(oy * 1) + ky - 2</c>). Variables are identifiers or <c>"0"</c>.
    /// </summary>
    public static string Sum(int constant, params (string Variable, int Coefficient)[] terms)
    {
        var text = new StringBuilder();
        foreach ((string v, int c) in terms)
        {
            if (c == 0 || v == "0")
            {
                continue;
            }

            string term = c == 1 ? v : v + " * " + Int(c);
            text.Append(text.Length == 0 ? string.Empty : " + ").Append(term);
        }

        if (text.Length == 0)
        {
            return Int(constant);
        }

        if (constant != 0)
        {
            text.Append(constant > 0 ? " + " : " - ").Append(Int(Math.Abs(constant)));
        }

        return text.ToString();
    }

    /// <summary>
    /// The row-major index of (i₀, …, iₖ) in an array of extents (n₀, …, nₖ): Σ iⱼ · nⱼ₊₁ ⋯ nₖ, folded as
    /// <see cref="Sum"/> folds (<c>c * 784 + iy * 28 + ix</c>).
    /// </summary>
    public static string RowMajor(params (string Index, int Extent)[] dimensions)
    {
        var terms = new (string Variable, int Coefficient)[dimensions.Length];
        int stride = 1;
        for (int d = dimensions.Length - 1; d >= 0; d--)
        {
            terms[d] = (dimensions[d].Index, stride);
            stride *= dimensions[d].Extent;
        }

        return Sum(0, terms);
    }

    /// <summary>A writer for text that will be appended to this one later, starting at this one's indentation.</summary>
    public CodeWriter Nested() => new() { _indent = _indent };

    /// <summary>Appends what <paramref name="other"/> wrote (its lines keep their own indentation).</summary>
    public CodeWriter Append(CodeWriter other)
    {
        _text.Append(other._text);
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
