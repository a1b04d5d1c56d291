namespace NetGen.Generators.Emit;

/// <summary>
/// The short names the generated CPU code uses for the runtime's vector and memory types, declared once per
/// file as <c>using</c> aliases (with <c>global::</c> on the right, so a user's type named <c>System</c>,
/// <c>Vector256</c> or <c>Span</c> changes nothing). The alias names themselves are ones a user is unlikely
/// to declare in the network's namespace: a type of the same name there would hide them.
/// </summary>
internal static class Aliases
{
    /// <summary><c>System.Runtime.Intrinsics.Vector128</c> (the static class).</summary>
    public const string V128 = "V128";

    /// <summary><c>System.Runtime.Intrinsics.Vector256</c> (the static class).</summary>
    public const string V256 = "V256";

    /// <summary><c>System.Runtime.Intrinsics.Vector512</c> (the static class).</summary>
    public const string V512 = "V512";

    /// <summary><c>Vector128&lt;float&gt;</c>.</summary>
    public const string Vec4f = "Vec4f";

    /// <summary><c>Vector256&lt;float&gt;</c>.</summary>
    public const string Vec8f = "Vec8f";

    /// <summary><c>Vector512&lt;float&gt;</c>.</summary>
    public const string Vec16f = "Vec16f";

    /// <summary><c>System.Span&lt;float&gt;</c>.</summary>
    public const string FloatSpan = "FloatSpan";

    /// <summary><c>System.ReadOnlySpan&lt;float&gt;</c>.</summary>
    public const string ReadOnlyFloatSpan = "ReadOnlyFloatSpan";

    /// <summary><c>System.Runtime.CompilerServices.Unsafe</c>.</summary>
    public const string Unsafe = "UnsafeRef";

    /// <summary><c>System.Runtime.InteropServices.MemoryMarshal</c>.</summary>
    public const string MemoryMarshal = "SpanMarshal";

    /// <summary>Every alias and what it names, in the order the directives are written.</summary>
    private static readonly (string Alias, string Target)[] s_all =
    {
        (V128, "global::System.Runtime.Intrinsics.Vector128"),
        (V256, "global::System.Runtime.Intrinsics.Vector256"),
        (V512, "global::System.Runtime.Intrinsics.Vector512"),
        (Vec4f, "global::System.Runtime.Intrinsics.Vector128<float>"),
        (Vec8f, "global::System.Runtime.Intrinsics.Vector256<float>"),
        (Vec16f, "global::System.Runtime.Intrinsics.Vector512<float>"),
        (FloatSpan, "global::System.Span<float>"),
        (ReadOnlyFloatSpan, "global::System.ReadOnlySpan<float>"),
        (Unsafe, "global::System.Runtime.CompilerServices.Unsafe"),
        (MemoryMarshal, "global::System.Runtime.InteropServices.MemoryMarshal"),
    };

    /// <summary>The alias names, for tests that declare user types of the same names.</summary>
    public static System.Collections.Generic.IEnumerable<string> Names
    {
        get
        {
            foreach ((string alias, _) in s_all)
            {
                yield return alias;
            }
        }
    }

    /// <summary>Writes the <c>using</c> alias directives (before the file's namespace declaration).</summary>
    public static void WriteDirectives(CodeWriter w)
    {
        foreach ((string alias, string target) in s_all)
        {
            w.Line("using " + alias + " = " + target + ";");
        }

        w.Line();
    }
}
