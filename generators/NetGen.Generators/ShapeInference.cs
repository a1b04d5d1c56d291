using System;
using System.Collections.Generic;
using System.Linq;
using NetGen.Generators.Diagnostics;
using NetGen.Generators.Emit;
using NetGen.Generators.Layers;
using NetGen.Generators.Model;

namespace NetGen.Generators;

/// <summary>
/// Checks a parsed network and plans it: layer names, every shape, parameter offsets, workspace offsets and
/// which backward work is needed. Every topology that cannot work becomes a diagnostic on its attribute.
/// </summary>
internal static class ShapeInference
{
    /// <summary>Largest buffer NetGen plans (floats); keeps every offset and byte count inside 32-bit ints.</summary>
    public const long MaxFloats = int.MaxValue / 8;

    /// <summary>Workspace slots start on 16-float (64-byte) boundaries so vector loads stay aligned.</summary>
    private const int SlotAlignment = 16;

    /// <summary>
    /// Floats after each slot that vector kernels may read past its end (one Vector512), so a last partial
    /// vector never leaves the workspace. Kernels never read past the end of the caller's input span.
    /// </summary>
    public const int SlotSlack = 16;

    /// <summary>
    /// Members that every network may have: the emitters' own (<see cref="NetworkEmitter.GeneratedMembers"/>,
    /// <see cref="GpuEmitter.GeneratedMembers"/>) and those a kind adds to a network that has it
    /// (<see cref="LayerKind.NetworkMembers"/>). Each layer adds its property name plus its kind's
    /// <see cref="LayerKind.MemberSuffixes"/>.
    /// </summary>
    private static readonly HashSet<string> s_reservedMembers = new(
        NetworkEmitter.GeneratedMembers
            .Concat(GpuEmitter.GeneratedMembers)
            .Concat(LayerKind.All.SelectMany(kind => kind.NetworkMembers)),
        StringComparer.Ordinal);

    /// <summary>Whether <paramref name="name"/> is a member NetGen generates in every network.</summary>
    public static bool IsGeneratedMemberName(string name) => s_reservedMembers.Contains(name);

    public static NetworkPlan? Plan(NetworkModel model, List<DiagnosticInfo> diagnostics)
    {
        int errorsBefore = diagnostics.Count;
        if (!model.HasInput)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MissingInput, model.ClassLocation, model.FullyQualifiedName));
            return null;
        }

        Shape? input = InputShape(model, diagnostics);
        if (model.Layers.Count == 0 || model.Layers.All(l => l.Kind.AliasesInput))
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, model.ClassLocation, model.FullyQualifiedName));
            return null;
        }

        string[] names = Names(model, diagnostics, out Dictionary<string, int> indexOf);
        int[][]? producers = Producers(model, names, indexOf, diagnostics);

        // Shapes, in source order (every operand is an earlier layer's output). A layer whose operand failed has
        // nothing to check, and adds no diagnostic of its own: it would only follow from the first one.
        var shapes = new List<(LayerSpec Spec, Shape In, Shape Out)>();
        var outputs = new Shape?[model.Layers.Count];
        for (int index = 0; index < model.Layers.Count && producers is not null; index++)
        {
            LayerSpec spec = model.Layers[index];
            var operands = new List<(string Name, Shape Shape)>();
            foreach (int producer in producers[index])
            {
                Shape? operand = producer < 0 ? input : outputs[producer];
                if (operand is Shape known)
                {
                    operands.Add((producer < 0 ? "input" : names[producer], known));
                }
            }

            if (operands.Count < producers[index].Length)
            {
                continue;
            }

            // The zero-padded input bounds every output dimension; checking it first keeps the kinds' int arithmetic exact.
            Shape shape = operands[0].Shape;
            if (!CheckSize(model, names[index] + " padded input", spec.Kind.PaddedInputFloats(spec, shape), spec.Location, diagnostics))
            {
                continue;
            }

            if (spec.Kind is EmbeddingLayer && producers[index][0] >= 0)
            {
                // Token ids are the network's input; recurrent layers read their padding from it too.
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.EmbeddingNotFirst, spec.Location, names[index], "the output of '" + names[producers[index][0]] + "'"));
                continue;
            }

            Shape? output = spec.Kind.InferOutput(spec, names[index], operands, diagnostics);
            if (output is Shape o && o.C > 0 && o.H > 0 && o.W > 0
                && CheckSize(model, names[index] + " output", o.LongSize, spec.Location, diagnostics))
            {
                outputs[index] = o;
                shapes.Add((spec, shape, o));
            }
        }

        if (diagnostics.Count > errorsBefore || input is not Shape inputShape || producers is null)
        {
            return null;
        }

        // Every output but the last must reach the network's output through some later layer.
        for (int i = 0; i < producers.Length - 1; i++)
        {
            if (!Enumerable.Range(i + 1, producers.Length - i - 1).Any(j => producers[j].Contains(i)))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnusedLayerOutput, model.Layers[i].Location, names[i]));
            }
        }

        if (diagnostics.Count > errorsBefore)
        {
            return null;
        }

        return Layout(model, names, inputShape, shapes, producers, diagnostics);
    }

    /// <summary>
    /// Each layer's operands as layer indices (-1: the network's input): the previous layer, or <c>From</c>'s,
    /// then the layers it joins. Null, after a diagnostic on each offending attribute, when a name names no earlier layer.
    /// </summary>
    private static int[][]? Producers(NetworkModel model, string[] names, Dictionary<string, int> indexOf, List<DiagnosticInfo> diagnostics)
    {
        var producers = new int[model.Layers.Count][];
        bool ok = true;
        for (int i = 0; i < producers.Length; i++)
        {
            LayerSpec spec = model.Layers[i];
            var operands = new List<int> { spec.From is null ? i - 1 : Resolve(spec.From) };
            operands.AddRange(spec.Joins.Select(Resolve));
            producers[i] = operands.ToArray();

            int Resolve(string name)
            {
                if (indexOf.TryGetValue(name, out int j) && j < i)
                {
                    return j;
                }

                string why = j == i && indexOf.ContainsKey(name) ? "which is this layer itself"
                    : indexOf.ContainsKey(name) ? "which is a later layer (evaluation follows source order)"
                    : "which no layer of '" + model.FullyQualifiedName + "' is called";
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownLayerReference, spec.Location, names[i], name, why));
                ok = false;
                return -2;
            }
        }

        return ok ? producers : null;
    }

    private static Shape? InputShape(NetworkModel model, List<DiagnosticInfo> diagnostics)
    {
        EquatableArray<int> dims = model.InputShape;
        if (dims.Count is < 1 or > 3)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidInputRank, model.InputLocation, dims.Count));
            return null;
        }

        bool ok = true;
        foreach (int d in dims)
        {
            if (d <= 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidSize, model.InputLocation, "Every dimension", "input", "positive", "[" + string.Join(", ", dims) + "]"));
                ok = false;
                break;
            }
        }

        long size = dims.Aggregate(1L, (a, d) => a * Math.Max(d, 1));
        if (!ok || !CheckSize(model, "the input", size, model.InputLocation, diagnostics))
        {
            return null;
        }

        return dims.Count switch
        {
            1 => Shape.Flat(dims[0]),
            2 => Shape.Spatial(1, dims[0], dims[1]),
            _ => Shape.Spatial(dims[0], dims[1], dims[2]),
        };
    }

    /// <summary>Default names are the kind's prefix and a per-kind ordinal (conv1, relu1, dense1, …).</summary>
    private static string[] Names(NetworkModel model, List<DiagnosticInfo> diagnostics, out Dictionary<string, int> indexOf)
    {
        var counters = new Dictionary<LayerKind, int>();
        var names = new string[model.Layers.Count];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var identifiers = new HashSet<string>(s_reservedMembers, StringComparer.Ordinal) { model.ClassName };
        for (int i = 0; i < names.Length; i++)
        {
            LayerSpec spec = model.Layers[i];
            counters[spec.Kind] = counters.TryGetValue(spec.Kind, out int n) ? n + 1 : 1;
            string name = spec.Name ?? spec.Kind.NamePrefix + counters[spec.Kind].ToString(System.Globalization.CultureInfo.InvariantCulture);
            names[i] = name;
            indexOf[name] = indexOf.TryGetValue(name, out int first) ? first : i;

            if (!IsIdentifier(name))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayerName, spec.Location, name, "use ASCII letters, digits and '_', not starting with a digit (layer names are checkpoint keys and C# member names)"));
                continue;
            }

            if (seen.ContainsKey(name))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateLayerName, spec.Location, name, model.FullyQualifiedName));
                continue;
            }

            seen[name] = i;
            string property = PropertyName(name);
            foreach (string member in spec.Kind.MemberSuffixes.Select(suffix => property + suffix))
            {
                if (!identifiers.Add(member))
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidLayerName, spec.Location, name, "its generated member '" + member + "' clashes with another member of '" + model.ClassName + "'"));
                    break;
                }
            }
        }

        return names;
    }

    private static NetworkPlan? Layout(NetworkModel model, string[] names, Shape input, List<(LayerSpec Spec, Shape In, Shape Out)> shapes, int[][] producers, List<DiagnosticInfo> diagnostics)
    {
        int count = shapes.Count;
        LayerKind KindOf(int i) => shapes[i].Spec.Kind;

        // A trailing softmax (or sigmoid) is fused into the loss when something before it produces the logits.
        OutputFunction trailing = count > 1 ? KindOf(count - 1).FusesIntoLoss : OutputFunction.None;
        int logitsLayer = trailing != OutputFunction.None ? count - 2 : count - 1;

        // A layer whose kind aliases its input shares its slots; a first layer copies the input into one of its own.
        bool Aliases(int i) => KindOf(i).AliasesInput && producers[i][0] >= 0;

        // The value a layer's output is: its own, or (through aliases) the one it shares slots with.
        int Root(int i)
        {
            while (i >= 0 && Aliases(i))
            {
                i = producers[i][0];
            }

            return i;
        }

        // Who reads each value (root), as (layer, operand) edges: every non-aliasing layer up to the logits.
        // Backward runs the layers downwards, so the readers are kept in that order: the first writes the value's
        // gradient, the others add to it, which fixes the order of the sum (bit-identical for every seed and thread count).
        var readers = Enumerable.Range(0, count).Select(_ => new List<(int Layer, int Operand)>()).ToArray();
        for (int c = logitsLayer; c >= 0; c--)
        {
            for (int j = producers[c].Length - 1; j >= 0 && !Aliases(c); j--)
            {
                int root = Root(producers[c][j]);
                if (root >= 0)
                {
                    readers[root].Add((c, j));
                }
            }
        }

        // A value needs a gradient when its layer, or one it depends on, has parameters.
        var needsGradient = new bool[count];
        for (int i = 0; i < count; i++)
        {
            needsGradient[i] = KindOf(i).HasParameters || producers[i].Any(p => p >= 0 && needsGradient[p]);
        }

        bool NeedsInputGradient(int i) => producers[i].Any(p => p >= 0 && needsGradient[p]);
        bool RunsBackward(int i) => i <= logitsLayer && (KindOf(i).HasParameters || NeedsInputGradient(i));

        // Layer i applies the next activation in its vector kernels when that activation is the only reader of its output.
        bool Fuses(int i) =>
            i + 1 < count
            && !(i + 2 == count && trailing != OutputFunction.None)
            && KindOf(i).CanFuseActivation
            && KindOf(i + 1) is ActivationLayer { Fusable: true }
            && producers[i + 1][0] == i
            && Enumerable.Range(i + 2, count - i - 2).All(j => !producers[j].Contains(i));

        // Parameters: one flat buffer, layer by layer, weight then bias. Buffers (BatchNorm's running
        // statistics) go to a second flat buffer, and batch state (BatchNorm's batch statistics) to a third.
        long parameterOffset = 0, bufferOffset = 0, stateOffset = 0;
        var tensors = new List<TensorPlan>[count];
        var states = new int[count];
        var segments = new List<Segment>();
        int segmentStart = 0;
        for (int i = 0; i < count; i++)
        {
            tensors[i] = new List<TensorPlan>();
            (LayerSpec spec, Shape inShape, Shape outShape) = shapes[i];
            LayerKind kind = spec.Kind;
            bool feedsReLU = FeedsReLU(shapes, producers, i);
            foreach (TensorSpec tensor in kind.ParameterTensors(spec, inShape, outShape))
            {
                long length = tensor.Shape.Aggregate(1L, (a, d) => a * d);
                if (!CheckSize(model, names[i] + "." + tensor.Suffix, parameterOffset + length, spec.Location, diagnostics))
                {
                    return null;
                }

                tensors[i].Add(new TensorPlan(tensor.Suffix, (int)parameterOffset, tensor.Shape.ToEquatableArray(), tensor.Init.ForLayerFeedingReLU(feedsReLU)));
                parameterOffset += length;
            }

            foreach (TensorSpec tensor in kind.BufferTensors(spec, inShape, outShape))
            {
                long length = tensor.Shape.Aggregate(1L, (a, d) => a * d);
                tensors[i].Add(new TensorPlan(tensor.Suffix, (int)bufferOffset, tensor.Shape.ToEquatableArray(), tensor.Init.ForLayerFeedingReLU(feedsReLU), IsBuffer: true));
                bufferOffset += length;
            }

            states[i] = -1;
            int stateFloats = kind.BatchStateFloats(spec, inShape);
            if (stateFloats > 0)
            {
                states[i] = (int)stateOffset;
                stateOffset += stateFloats;
            }

            if (kind is ISegmentBoundary)
            {
                segments.Add(new Segment(segmentStart, i));
                segmentStart = i;
            }
        }

        segments.Add(new Segment(segmentStart, count));

        // Workspace: each layer's output, its gradient where one flows, and dropout masks.
        long workspace = 0;
        int Allocate(int size)
        {
            long at = workspace;
            workspace += SlotLength(size);
            return (int)Math.Min(at, int.MaxValue);
        }

        // Concat in place: a value a Concat joins is written by its producer straight into its range of the Concat's
        // output, the first Concat that names it (once, at its first mention there), so the Concat copies nothing for it.
        // The network's input is not a workspace value, and a value named twice by one Concat is copied the second time.
        var host = Enumerable.Repeat(-1, count).ToArray();
        var hostStart = new int[count];
        for (int c = 0; c < count; c++)
        {
            if (!KindOf(c).JoinsOperandsInPlace)
            {
                continue;
            }

            int start = 0;
            for (int j = 0; j < producers[c].Length; j++)
            {
                int p = producers[c][j];
                int root = Root(p);
                if (root >= 0 && host[root] < 0 && !producers[c].Take(j).Any(q => Root(q) == root))
                {
                    host[root] = c;
                    hostStart[root] = start;
                }

                start += p < 0 ? input.Size : shapes[p].Out.Size;
            }
        }

        var outputs = new int[count];
        var masks = new int[count];
        var scratch = new int[count];
        var scratchSizes = new int[count];
        long largestTransient = 0, transientSum = 0;
        for (int i = 0; i < count; i++)
        {
            (LayerSpec spec, Shape inShape, Shape outShape) = shapes[i];
            outputs[i] = Aliases(i) || host[i] >= 0 ? -1 : Allocate(outShape.Size);
            masks[i] = spec.Kind.HasMask ? Allocate(outShape.Size) : -1;
            scratchSizes[i] = spec.Kind.ScratchFloats(spec, inShape, outShape);
            scratch[i] = scratchSizes[i] > 0 && !spec.Kind.ScratchIsTransient ? Allocate(scratchSizes[i]) : -1;

            if (scratchSizes[i] > 0)
            {
                transientSum += spec.Kind.ScratchIsTransient ? SlotLength(scratchSizes[i]) : 0;
                largestTransient = Math.Max(largestTransient, spec.Kind.ScratchIsTransient ? SlotLength(scratchSizes[i]) : 0);
            }
        }

        // A hosted value's place follows its Concat's (itself perhaps hosted by a later one); an alias shares its producer's.
        for (int i = count - 1; i >= 0; i--)
        {
            outputs[i] = host[i] >= 0 ? outputs[host[i]] + hostStart[i] : outputs[i];
        }

        for (int i = 0; i < count; i++)
        {
            outputs[i] = Aliases(i) ? outputs[producers[i][0]] : outputs[i];
        }

        // Transient scratch (LayerKind.ScratchIsTransient): one region as large as the largest, shared by those layers.
        int shared = largestTransient > 0 ? Allocate((int)Math.Min(largestTransient - SlotSlack, int.MaxValue)) : -1;
        for (int i = 0; i < count; i++)
        {
            if (scratchSizes[i] > 0 && shapes[i].Spec.Kind.ScratchIsTransient)
            {
                scratch[i] = shared;
            }
        }

        // Gradients: d loss / d value of each value that needs one, below the logits. Backward runs the layers from
        // the logits down, one step each; a gradient lives from the step of its first reader (the highest) to the
        // last step that reads it (its own layer's, or the layer below's when that one applies this activation in its
        // vector kernels). A reader that must add its share but whose kind cannot writes a staging slot alive at its
        // own step. Gradients whose lives overlap get disjoint workspace and the others share it (first fit, largest
        // first), so the workspace holds a few gradients at a time rather than all of them.
        var lives = new List<GradientLife>();
        var valueGradient = Enumerable.Repeat(-1, count).ToArray();
        var staging = new Dictionary<(int Layer, int Operand), int>();
        int logitsRoot = Root(logitsLayer);
        for (int v = 0; v < count; v++)
        {
            if (v == logitsRoot || Aliases(v) || !needsGradient[v] || readers[v].Count == 0)
            {
                continue;
            }

            int lastStep = v >= 1 && Fuses(v - 1) ? v - 1 : v;
            valueGradient[v] = lives.Count;
            lives.Add(new GradientLife(shapes[v].Out.Size, FirstStep: readers[v][0].Layer, LastStep: lastStep));
            foreach ((int c, int j) in readers[v].Skip(1).Where(edge => !KindOf(edge.Layer).AccumulatesInputGradients))
            {
                staging[(c, j)] = lives.Count;
                lives.Add(new GradientLife(shapes[v].Out.Size, FirstStep: c, LastStep: c));
            }
        }

        // Largest first: a small gradient then fits a hole a large one leaves.
        long gradientBase = workspace;
        var offsets = new long[lives.Count];
        var placed = new List<int>();
        foreach (int g in Enumerable.Range(0, lives.Count).OrderByDescending(g => lives[g].Size).ThenBy(g => g))
        {
            long length = SlotLength(lives[g].Size), at = 0;
            foreach (int other in placed.Where(o => lives[o].Overlaps(lives[g])).OrderBy(o => offsets[o]))
            {
                if (at + length <= offsets[other])
                {
                    break;
                }

                at = Math.Max(at, offsets[other] + SlotLength(lives[other].Size));
            }

            offsets[g] = at;
            placed.Add(g);
            workspace = Math.Max(workspace, gradientBase + at + length);
        }

        long unshared = gradientBase + (transientSum - largestTransient) + lives.Sum(life => SlotLength(life.Size));
        int GradientOffset(int g) => (int)Math.Min(gradientBase + offsets[g], int.MaxValue);
        var deltas = new GradientSlot[count];
        for (int i = 0; i < count; i++)
        {
            int root = Root(i);
            deltas[i] = root == logitsRoot && i <= logitsLayer ? GradientSlot.LogitsGradient
                : root >= 0 && valueGradient[root] >= 0 ? GradientSlot.At(GradientOffset(valueGradient[root]))
                : GradientSlot.None;
        }

        if (!CheckSize(model, "the workspace", workspace, model.ClassLocation, diagnostics))
        {
            return null;
        }

        var layers = new LayerPlan[count];
        for (int i = 0; i < count; i++)
        {
            (LayerSpec spec, Shape inShape, Shape outShape) = shapes[i];
            var operands = new Operand[producers[i].Length];
            for (int j = 0; j < operands.Length; j++)
            {
                int p = producers[i][j];
                GradientSlot gradient = p >= 0 && needsGradient[p] && RunsBackward(i) && !Aliases(i) ? deltas[p] : GradientSlot.None;
                int root = Root(p);
                bool first = root >= 0 && readers[root].Count > 0 && readers[root][0] == (i, j);
                operands[j] = new Operand(
                    p,
                    p < 0 ? "input" : names[p],
                    p < 0 ? input : shapes[p].Out,
                    p < 0 ? -1 : outputs[p],
                    gradient,
                    Accumulates: gradient.Exists && !first && KindOf(i).AccumulatesInputGradients,
                    StagingOffset: gradient.Exists && staging.TryGetValue((i, j), out int g) ? GradientOffset(g) : -1);
            }

            layers[i] = new LayerPlan(
                spec.Kind,
                names[i],
                PropertyName(names[i]),
                inShape,
                outShape,
                spec.Kind.Decide(spec, inShape, outShape),
                tensors[i].ToEquatableArray(),
                outputs[i],
                deltas[i],
                masks[i],
                NeedsInputGradient(i),
                RunsBackward(i) && !Aliases(i),
                FusedActivation: Fuses(i) ? new Activation((ActivationLayer)KindOf(i + 1), shapes[i + 1].Spec.Options) : null,
                FusedIntoPrevious: i > 0 && Fuses(i - 1),
                IsFirst: producers[i][0] < 0,
                ScratchOffset: scratch[i],
                ScratchSize: scratchSizes[i],
                StateOffset: states[i],
                AliasesInput: Aliases(i),
                Operands: operands.ToEquatableArray());
        }

        if (stateOffset == 0)
        {
            segments = ChunkSegments(layers, logitsLayer);
        }

        return new NetworkPlan(
            model.Namespace, model.ClassName, input, layers.ToEquatableArray(), (int)parameterOffset, (int)workspace, outputs[logitsLayer], logitsLayer,
            trailing == OutputFunction.Softmax, trailing == OutputFunction.Sigmoid, (int)bufferOffset, (int)stateOffset, segments.ToEquatableArray())
        {
            WorkspaceWithoutSharing = (int)Math.Min(unshared, int.MaxValue),
        };
    }

    /// <summary>
    /// The segments of a network without BatchNorm: one, unless a Dense layer runs across the batch
    /// (<see cref="DenseLayer.RunsAcrossBatch"/>); each such layer (with the activation its vector kernels apply) is
    /// a segment of its own, which the trainer runs over a worker's chunk of samples at once.
    /// </summary>
    private static List<Segment> ChunkSegments(LayerPlan[] layers, int logitsLayer)
    {
        var segments = new List<Segment>();
        int start = 0;
        for (int i = 0; i < layers.Length; i++)
        {
            if (!DenseLayer.RunsAcrossBatch(layers, i, logitsLayer))
            {
                continue;
            }

            int end = layers[i].FusedActivation is null ? i + 1 : i + 2;
            if (start < i)
            {
                segments.Add(new Segment(start, i));
            }

            segments.Add(new Segment(i, end, Batched: true));
            start = end;
            i = end - 1;
        }

        segments.Add(new Segment(start, layers.Length));
        return segments;
    }

    /// <summary>Floats a workspace slot of <paramref name="size"/> takes: rounded up to the alignment, then the slack vector loads may read.</summary>
    internal static long SlotLength(int size) => (((size + SlotAlignment - 1) / SlotAlignment) * (long)SlotAlignment) + SlotSlack;

    /// <summary>
    /// Whether the first layer that reads layer <paramref name="i"/>'s output and transforms values (following
    /// those <see cref="LayerKind.TransparentToInit"/> to their first reader) wants He's gain.
    /// </summary>
    private static bool FeedsReLU(List<(LayerSpec Spec, Shape In, Shape Out)> shapes, int[][] producers, int i)
    {
        for (int j = i + 1; j < shapes.Count; j++)
        {
            if (!producers[j].Contains(i))
            {
                continue;
            }

            LayerKind kind = shapes[j].Spec.Kind;
            if (!kind.TransparentToInit)
            {
                return kind.WantsReLUGain;
            }

            i = j;
        }

        return false;
    }

    private static bool CheckSize(NetworkModel model, string what, long floats, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        if (floats <= MaxFloats)
        {
            return true;
        }

        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NetworkTooLarge, location ?? model.ClassLocation, model.FullyQualifiedName, what, floats, MaxFloats));
        return false;
    }

    private static bool IsIdentifier(string name)
    {
        if (name.Length == 0)
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_'))
            {
                return false;
            }
        }

        return name[0] is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_';
    }

    /// <summary>conv1 → Conv1, my_layer → My_layer: the name of the typed layer property.</summary>
    public static string PropertyName(string name) => char.ToUpperInvariant(name[0]) + name.Substring(1);
}

/// <summary>
/// One gradient's workspace and life during backward: written at step <see cref="FirstStep"/> (a layer index;
/// backward runs them downwards), last read at <see cref="LastStep"/> (≤ FirstStep).
/// </summary>
internal readonly record struct GradientLife(int Size, int FirstStep, int LastStep)
{
    /// <summary>Whether both gradients are alive at some step.</summary>
    public bool Overlaps(GradientLife other) => LastStep <= other.FirstStep && other.LastStep <= FirstStep;
}
