// Shared by the samples (compiled into each with <Compile Include="../Common/..." />).
using System;
using System.Globalization;

namespace NetGen.Samples;

/// <summary>
/// The values an option accepts: an interval, each end open or closed (an unbounded end is ±infinity). NaN and
/// the infinities are never inside, so a float option given <c>nan</c> or <c>inf</c> is always rejected.
/// </summary>
internal readonly record struct Bounds(double Min, bool MinInclusive, double Max, bool MaxInclusive)
{
    /// <summary>Any finite value.</summary>
    public static Bounds Any { get; } = new(double.NegativeInfinity, false, double.PositiveInfinity, false);

    /// <summary>Values ≥ <paramref name="min"/>.</summary>
    public static Bounds AtLeast(double min) => new(min, true, double.PositiveInfinity, false);

    /// <summary>Values &gt; <paramref name="min"/>.</summary>
    public static Bounds Above(double min) => new(min, false, double.PositiveInfinity, false);

    /// <summary>Values in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static Bounds Between(double min, double max) => new(min, true, max, true);

    /// <summary>Values in [<paramref name="min"/>, <paramref name="maxExclusive"/>).</summary>
    public static Bounds From(double min, double maxExclusive) => new(min, true, maxExclusive, false);

    /// <summary>Whether <paramref name="value"/> is finite and inside.</summary>
    public bool Contains(double value) =>
        double.IsFinite(value)
        && (MinInclusive ? value >= Min : value > Min)
        && (MaxInclusive ? value <= Max : value < Max);

    /// <summary>How the interval reads after "expected a number": "&gt; 0", "≥ 1", "in [0, 1)", or "" for <see cref="Any"/>.</summary>
    public override string ToString()
    {
        bool low = double.IsFinite(Min), high = double.IsFinite(Max);
        return (low, high) switch
        {
            (true, true) => $"in {(MinInclusive ? '[' : '(')}{Format(Min)}, {Format(Max)}{(MaxInclusive ? ']' : ')')}",
            (true, false) => (MinInclusive ? "≥ " : "> ") + Format(Min),
            (false, true) => (MaxInclusive ? "≤ " : "< ") + Format(Max),
            _ => string.Empty,
        };
    }

    /// <summary>
    /// The message for a value outside: "expected an integer ≥ 1, got '0'", "expected a finite number &gt; 0, got 'nan'".
    /// </summary>
    /// <param name="integer">Whether the option takes an integer.</param>
    /// <param name="given">The text the user gave.</param>
    public string Expected(bool integer, string given)
    {
        string range = ToString();
        string kind = integer ? "an integer" : "a finite number";
        return $"expected {kind}{(range.Length == 0 ? string.Empty : " " + range)}, got '{given}'";
    }

    private static string Format(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}
