using System.Collections.Generic;
using NetGen.Generators.Layers;
using NetGen.Generators.Model;

namespace NetGen.Generators.Emit;

/// <summary>
/// Which layers the vector paths still run through their scalar loops (<see cref="LayerKind.ScalarFallback"/>),
/// written into the generated header so that a slow layer is never a silent one.
/// </summary>
internal static class VectorCoverage
{
    /// <summary>The vector paths by width, as the header names them.</summary>
    private static readonly (int Width, string Name)[] s_paths = [(8, "Vector256"), (16, "Vector512")];

    /// <summary>One line per layer that falls back on some vector path: name, kind, the paths, the reason; empty when none does.</summary>
    public static IReadOnlyList<string> Fallbacks(NetworkPlan plan)
    {
        var lines = new List<string>();
        foreach (LayerPlan layer in plan.Layers)
        {
            if (layer.FusedIntoPrevious)
            {
                continue; // runs inside the layer before it
            }

            string? narrow = layer.Kind.ScalarFallback(layer, s_paths[0].Width);
            string? wide = layer.Kind.ScalarFallback(layer, s_paths[1].Width);
            string head = layer.Name + " (" + layer.Kind.DisplayName + ")";
            if (narrow is not null && narrow == wide)
            {
                lines.Add(head + " on both vector paths, " + narrow);
                continue;
            }

            if (narrow is not null)
            {
                lines.Add(head + " on " + s_paths[0].Name + ", " + narrow);
            }

            if (wide is not null)
            {
                lines.Add(head + " on " + s_paths[1].Name + ", " + wide);
            }
        }

        return lines;
    }

    /// <summary>Writes the header's lines about the vector paths.</summary>
    public static void Write(CodeWriter w, NetworkPlan plan)
    {
        IReadOnlyList<string> fallbacks = Fallbacks(plan);
        w.Line("//");
        if (fallbacks.Count == 0)
        {
            w.Line("// Vector paths: every layer runs vector kernels on Vector256 and Vector512.");
            return;
        }

        w.Line("// Vector paths: these layers run the scalar loops (slower):");
        foreach (string line in fallbacks)
        {
            w.Line("//   " + line);
        }
    }
}
