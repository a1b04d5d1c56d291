using System;
using NetGen.Generators.Emit;

namespace NetGen.Generators.Layers;

/// <summary>
/// Pieces of vector code the layer kinds share: references without bounds checks, loads and stores at literal
/// offsets, lane masks, element-wise loops, and the activations in scalar and vector form.
/// </summary>
internal static class VectorCode
{
    public const string Unsafe = Aliases.Unsafe;

    private const string Marshal = Aliases.MemoryMarshal;

    /// <summary>Writes a summary of several lines (each a sentence or two, no XML specials).</summary>
    public static void DocSummary(CodeWriter w, params string[] lines)
    {
        w.Line("/// <summary>");
        foreach (string line in lines)
        {
            w.Line("/// " + line);
        }

        w.Line("/// </summary>");
    }

    /// <summary>The static vector class for a vector of <paramref name="lanes"/> floats (4, 8 or 16).</summary>
    public static string Vec(int lanes) => lanes switch
    {
        4 => Aliases.V128,
        8 => Aliases.V256,
        _ => Aliases.V512,
    };

    /// <summary>The vector type of <paramref name="lanes"/> floats.</summary>
    public static string VecOfFloat(int lanes) => lanes switch { 4 => Aliases.Vec4f, 8 => Aliases.Vec8f, _ => Aliases.Vec16f };

    /// <summary>The widest vector that fits <paramref name="count"/> floats on a path of <paramref name="width"/> lanes (at least 8), or 1 when none does.</summary>
    public static int Lanes(int count, int width) => count >= width ? width : count >= 8 ? 8 : 1;

    /// <summary><c>ref float name = ref MemoryMarshal.GetReference(span);</c></summary>
    public static string Ref(string name, string span) => "ref float " + name + " = ref " + Marshal + ".GetReference(" + span + ");";

    /// <summary>The float at <paramref name="offset"/> from <paramref name="reference"/>, as a writable location.</summary>
    public static string At(string reference, string offset) => offset == "0" ? reference : Unsafe + ".Add(ref " + reference + ", " + offset + ")";

    public static string Load(int lanes, string reference, string offset) => Vec(lanes) + ".LoadUnsafe(ref " + reference + ", " + Nuint(offset) + ")";

    /// <summary>Stores a vector of <paramref name="lanes"/> floats (static form: generated code has no <c>using</c> for the extension methods).</summary>
    public static string Store(int lanes, string value, string reference, string offset) => Vec(lanes) + ".StoreUnsafe(" + value + ", ref " + reference + ", " + Nuint(offset) + ");";

    public static string Zero(int lanes) => VecOfFloat(lanes) + ".Zero";

    public static string One(int lanes) => VecOfFloat(lanes) + ".One";

    public static string Fma(int lanes, string a, string b, string c) => Vec(lanes) + ".FusedMultiplyAdd(" + a + ", " + b + ", " + c + ")";

    /// <summary>A constant lane mask: lanes below <paramref name="firstKept"/> all zero bits, the rest all one bits.</summary>
    public static string KeepFrom(int lanes, int firstKept)
    {
        var bits = new string[lanes];
        for (int i = 0; i < lanes; i++)
        {
            bits[i] = i < firstKept ? "0" : "-1";
        }

        return Vec(lanes) + ".AsSingle(" + Vec(lanes) + ".Create(" + string.Join(", ", bits) + "))";
    }

    /// <summary>A constant int vector (shuffle indices).</summary>
    public static string Ints(int lanes, Func<int, int> lane)
    {
        var values = new string[lanes];
        for (int i = 0; i < lanes; i++)
        {
            values[i] = CodeWriter.Int(lane(i));
        }

        return Vec(lanes) + ".Create(" + string.Join(", ", values) + ")";
    }

    /// <summary>An int literal or expression as a <c>nuint</c> element offset.</summary>
    public static string Nuint(string offset) => IsSimple(offset) ? "(nuint)" + offset : "(nuint)(" + offset + ")";

    /// <summary><c>a + b</c> with literal folding: Plus("i", 0) is "i", Plus("8", 16) is "24".</summary>
    public static string Plus(string a, int b)
    {
        if (int.TryParse(a, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int value))
        {
            return CodeWriter.Int(value + b);
        }

        return b == 0 ? a : a + " + " + CodeWriter.Int(b);
    }

    private static bool IsSimple(string expression)
    {
        foreach (char c in expression)
        {
            if (!(char.IsLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>How <see cref="Elementwise"/> covers <paramref name="n"/> values, for kernel comments.</summary>
    public static string ElementwisePlan(int n, int width, int unroll)
    {
        int lanes = Lanes(n, width);
        if (lanes == 1)
        {
            return CodeWriter.Int(n) + " values, one at a time (fewer than 8)";
        }

        int vectors = n / lanes, tail = n % lanes;
        string plan = CodeWriter.Int(vectors) + " vector" + (vectors == 1 ? string.Empty : "s") + " of " + CodeWriter.Int(lanes)
            + (unroll > 1 && vectors >= unroll ? ", " + CodeWriter.Int(unroll) + " per iteration" : string.Empty);
        return tail == 0
            ? plan
            : plan + ", then the last " + CodeWriter.Int(tail) + " values as the vector at " + CodeWriter.Int(n - lanes) + " (recomputing " + CodeWriter.Int(lanes - tail) + ")";
    }

    /// <summary>
    /// Writes a loop over <paramref name="n"/> values: vectors of <see cref="Lanes"/> floats,
    /// <paramref name="unroll"/> per iteration, the rest one by one at literal offsets, and a last partial
    /// vector done as the full vector that ends at value n − 1 (it recomputes values already written, which is
    /// only right for a pure, non-aliasing y = f(x)). Nothing is read or written outside [0, n). Fewer than 8
    /// values are done one at a time. <paramref name="vector"/> gets (lanes, offset expression, index of the
    /// vector in the iteration, for distinct variable names, and null or, for the last partial vector, the mask
    /// that keeps only its lanes not done before, for callers that accumulate); <paramref name="scalar"/> gets an offset.
    /// </summary>
    public static void Elementwise(CodeWriter w, int n, int width, int unroll, Action<int, string, int, string?> vector, Action<string> scalar)
    {
        int lanes = Lanes(n, width);
        if (lanes == 1)
        {
            w.Open("for (int i = 0; i < " + CodeWriter.Int(n) + "; i++)");
            scalar("i");
            w.Close();
            return;
        }

        int vectors = n / lanes;
        int looped = unroll > 1 ? vectors / unroll * unroll : vectors;
        int step = unroll > 1 ? unroll : 1;
        if (looped == step)
        {
            // One iteration: no loop, literal offsets.
            for (int k = 0; k < step; k++)
            {
                vector(lanes, CodeWriter.Int(k * lanes), k, null);
            }
        }
        else if (looped > 0)
        {
            w.Open("for (int i = 0; i < " + CodeWriter.Int(looped * lanes) + "; i += " + CodeWriter.Int(step * lanes) + ")");
            for (int k = 0; k < step; k++)
            {
                vector(lanes, Plus("i", k * lanes), k, null);
            }

            w.Close();
        }

        for (int v = looped; v < vectors; v++)
        {
            vector(lanes, CodeWriter.Int(v * lanes), v - looped + step, null);
        }

        if (n % lanes != 0)
        {
            w.Line("// The last " + CodeWriter.Int(n % lanes) + " values: the full vector ending at " + CodeWriter.Int(n - 1) + ".");
            vector(lanes, CodeWriter.Int(n - lanes), vectors - looped + step, KeepFrom(lanes, lanes - (n % lanes)));
        }
    }
}
