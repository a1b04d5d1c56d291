using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;

namespace NetGen;

/// <summary>Argument checks shared by generated networks, so their messages say the same thing everywhere.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Guard
{
    /// <summary>Throws unless <paramref name="length"/> equals <paramref name="expected"/>.</summary>
    /// <param name="length">The span's length.</param>
    /// <param name="expected">The length the network needs.</param>
    /// <param name="what">What the floats are, e.g. "input floats ([1, 28, 28])".</param>
    /// <param name="argument">The argument's name.</param>
    public static void Length(int length, int expected, string what, string argument)
    {
        if (length != expected)
        {
            Throw(length, expected, what, argument, "exactly");
        }
    }

    /// <summary>Throws unless <paramref name="length"/> is at least <paramref name="expected"/>.</summary>
    public static void AtLeast(int length, int expected, string what, string argument)
    {
        if (length < expected)
        {
            Throw(length, expected, what, argument, "at least");
        }
    }

    /// <summary>Throws unless <paramref name="value"/> is not negative.</summary>
    public static void NotNegative(int value, string argument)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(argument, value, $"'{argument}' must be zero or more.");
        }
    }

    /// <summary>Throws unless <paramref name="segment"/> is in [0, <paramref name="count"/>).</summary>
    public static void Segment(int segment, int count, string argument)
    {
        if ((uint)segment >= (uint)count)
        {
            throw new ArgumentOutOfRangeException(argument, segment, $"'{argument}' must be a segment index in [0, {count}).");
        }
    }

    /// <summary>Throws unless <paramref name="count"/> is not negative and <paramref name="length"/> holds <paramref name="count"/> workspaces <paramref name="stride"/> floats apart.</summary>
    public static void Chunk(int length, int count, int stride, string argument)
    {
        NotNegative(count, "count");
        long needed = (long)count * stride;
        if (length < needed)
        {
            throw new ArgumentException($"'{argument}' must hold at least count × {stride} = {needed} floats (one workspace per sample, {stride} floats apart); it holds {length}.", argument);
        }
    }

    /// <summary>
    /// The token id <paramref name="value"/> at input position <paramref name="position"/> stands for; throws unless it is
    /// a whole number in [0, <paramref name="vocabulary"/>) (ids arrive as floats, exact up to 2^24).
    /// </summary>
    public static int TokenId(float value, int position, int vocabulary, string layer)
    {
        int id = (int)value;
        if (id != value || (uint)id >= (uint)vocabulary)
        {
            ThrowTokenId(value, position, vocabulary, layer);
        }

        return id;
    }

    [DoesNotReturn]
    [SuppressMessage("Usage", "CA2208", Justification = "The argument at fault is the generated network's 'input', whose ids this checks.")]
    private static void ThrowTokenId(float value, int position, int vocabulary, string layer) =>
        throw new ArgumentOutOfRangeException("input", value, $"input[{position}] = {value} is not a token id of layer '{layer}': it must be a whole number in [0, {vocabulary}).");

    [DoesNotReturn]
    private static void Throw(int length, int expected, string what, string argument, string how) =>
        throw new ArgumentException($"'{argument}' must hold {how} {expected} {what}; it holds {length}.", argument);
}
