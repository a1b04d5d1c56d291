using System.Collections.Generic;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// One layer attribute's arguments as constants, free of Roslyn: the constructor's in order and the named ones
/// (properties set in the attribute). The parser builds it; each kind reads the arguments its attribute declares,
/// with its own defaults, in <see cref="LayerKind.ReadArguments"/>. A value of the wrong type reads as absent.
/// </summary>
internal sealed class LayerArguments(LayerKind kind, IReadOnlyList<object?> positional, IReadOnlyList<KeyValuePair<string, object?>> named, LocationInfo? location)
{
    /// <summary>The kind the attribute stands for.</summary>
    public LayerKind Kind => kind;

    /// <summary>Where the attribute is written.</summary>
    public LocationInfo? Location => location;

    /// <summary>The <c>Name</c> every layer attribute has, or null when not set (or not a string).</summary>
    public string? Name => Named("Name") as string;

    /// <summary>The <c>From</c> every layer attribute has: the earlier layer it reads instead of the previous one, or null.</summary>
    public string? From => Named("From") as string;

    /// <summary>
    /// The strings of the constructor arguments from <paramref name="index"/> on, a <c>params</c> array's elements
    /// flattened in order; a null string reads as the empty name (which no layer has).
    /// </summary>
    public EquatableArray<string> Strings(int index)
    {
        var strings = new List<string>();
        for (int i = index; i < positional.Count; i++)
        {
            switch (positional[i])
            {
                case string s:
                    strings.Add(s);
                    break;
                case IReadOnlyList<object?> array:
                    foreach (object? element in array)
                    {
                        strings.Add(element as string ?? string.Empty);
                    }

                    break;
                case null:
                    strings.Add(string.Empty);
                    break;
            }
        }

        return strings.ToEquatableArray();
    }

    /// <summary>The constructor argument at <paramref name="index"/> as an int, or 0 when there is none.</summary>
    public int Int(int index) => index < positional.Count && positional[index] is int value ? value : 0;

    /// <summary>The constructor argument at <paramref name="index"/> as a double (see <see cref="ToNumber"/>), or null.</summary>
    public double? Number(int index) => index < positional.Count ? ToNumber(positional[index]) : null;

    /// <summary>The named argument <paramref name="key"/> as an int, or null when not set.</summary>
    public int? NamedInt(string key) => Named(key) is int value ? value : null;

    /// <summary>The named argument <paramref name="key"/> as a bool, or null when not set.</summary>
    public bool? NamedBool(string key) => Named(key) is bool value ? value : null;

    /// <summary>The named argument <paramref name="key"/> as a double, or null when not set.</summary>
    public double? NamedNumber(string key) => ToNumber(Named(key));

    /// <summary>The spec of the layer with the kind's <paramref name="options"/> (none by default: an attribute with no argument but its name).</summary>
    public LayerSpec Spec(LayerOptions? options = null, EquatableArray<string> joins = default) =>
        new(kind, Name, location, options ?? LayerOptions.None, From, joins);

    private object? Named(string key)
    {
        object? value = null;
        foreach (KeyValuePair<string, object?> argument in named)
        {
            if (argument.Key == key)
            {
                value = argument.Value;
            }
        }

        return value;
    }

    /// <summary>
    /// A numeric attribute argument as a double: the attributes declare <c>double</c> (the compiler has converted
    /// an <c>int</c> or <c>float</c> argument already), and an older NetGen declared <c>float</c>; other numeric
    /// types are read too. Null when the constant is not a number.
    /// </summary>
    private static double? ToNumber(object? value) => value switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        uint u => u,
        ulong u => u,
        short s => s,
        ushort u => u,
        byte b => b,
        sbyte b => b,
        _ => null,
    };
}
