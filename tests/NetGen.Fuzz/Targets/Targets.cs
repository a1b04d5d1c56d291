using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;

namespace NetGen.Fuzz;

/// <summary>The targets by name.</summary>
internal static class Targets
{
    private static readonly Dictionary<string, Func<ITarget>> All = new(StringComparer.Ordinal)
    {
        ["idx"] = () => new IdxTarget(),
        ["safetensors"] = () => new SafetensorsTarget(),
        ["parser"] = () => new ParserTarget(),
    };

    public static string Names => string.Join("|", All.Keys);

    public static bool TryGet(string name, [NotNullWhen(true)] out ITarget? target)
    {
        target = All.TryGetValue(name, out Func<ITarget>? create) ? create() : null;
        return target is not null;
    }
}

/// <summary>Bounds on inputs and on what reading one may cost.</summary>
internal static class Limits
{
    /// <summary>
    /// The largest input (64 KiB, also afl's -G). Deflate expands at most ~1032:1, so a gzip input decompresses
    /// to at most ~66 MB: a decompression bomb costs bounded time and memory and is judged by the allocation bound.
    /// </summary>
    public const int MaxInput = 1 << 16;

    /// <summary>Fixed overhead a read may allocate whatever the input (buffers, the JSON document, messages).</summary>
    public const long Overhead = 2L << 20;

    /// <summary>Fails when <paramref name="allocated"/> exceeds <paramref name="bound"/>.</summary>
    public static void CheckAllocation(string what, long allocated, long bound)
    {
        if (allocated > bound)
        {
            throw new InvalidOperationException($"{what} allocated {allocated} bytes; expected at most {bound}.");
        }
    }
}
