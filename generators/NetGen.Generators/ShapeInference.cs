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

        string[] names = Names(model, diagnostics);

        // Shapes, layer by layer; after the first failure later layers have no input shape to check.
        var shapes = new List<(LayerSpec Spec, Shape In, Shape Out)>();
        Shape? current = input;
        foreach ((LayerSpec spec, int index) in model.Layers.Select((s, i) => (s, i)))
        {
            if (current is not Shape shape)
            {
                break;
            }

            // The zero-padded input bounds every output dimension; checking it first keeps the kinds' int arithmetic exact.
            if (!CheckSize(model, names[index] + " padded input", spec.Kind.PaddedInputFloats(spec, shape), spec.Location, diagnostics))
            {
                current = null;
                continue;
            }

            current = spec.Kind.InferOutput(spec, names[index], shape, diagnostics);
            if (current is Shape output && output.C > 0 && output.H > 0 && output.W > 0
                && CheckSize(model, names[index] + " output", output.LongSize, spec.Location, diagnostics))
            {
                shapes.Add((spec, shape, output));
            }
            else
            {
                current = null;
            }
        }

        if (diagnostics.Count > errorsBefore || input is not Shape inputShape)
        {
            return null;
        }

        return Layout(model, names, inputShape, shapes, diagnostics);
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
    private static string[] Names(NetworkModel model, List<DiagnosticInfo> diagnostics)
    {
        var counters = new Dictionary<LayerKind, int>();
        var names = new string[model.Layers.Count];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var identifiers = new HashSet<string>(s_reservedMembers, StringComparer.Ordinal) { model.ClassName };
        for (int i = 0; i < names.Length; i++)
        {
            LayerSpec spec = model.Layers[i];
            counters[spec.Kind] = counters.TryGetValue(spec.Kind, out int n) ? n + 1 : 1;
            string name = spec.Name ?? spec.Kind.NamePrefix + counters[spec.Kind].ToString(System.Globalization.CultureInfo.InvariantCulture);
            names[i] = name;

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

    private static NetworkPlan? Layout(NetworkModel model, string[] names, Shape input, List<(LayerSpec Spec, Shape In, Shape Out)> shapes, List<DiagnosticInfo> diagnostics)
    {
        int count = shapes.Count;
        LayerKind KindOf(int i) => shapes[i].Spec.Kind;

        // A trailing softmax (or sigmoid) is fused into the loss when something before it produces the logits.
        OutputFunction trailing = count > 1 ? KindOf(count - 1).FusesIntoLoss : OutputFunction.None;
        int logitsLayer = trailing != OutputFunction.None ? count - 2 : count - 1;

        // A layer needs d loss / d input when some layer below it has parameters.
        int firstParameterLayer = shapes.FindIndex(s => s.Spec.Kind.HasParameters);
        bool NeedsInputGradient(int i) => firstParameterLayer >= 0 && i > firstParameterLayer;
        bool RunsBackward(int i) => i <= logitsLayer && (KindOf(i).HasParameters || NeedsInputGradient(i));

        // A layer whose kind aliases its input shares its slots; a first layer copies the input into one of its own.
        bool Aliases(int i) => i > 0 && KindOf(i).AliasesInput;

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
            bool feedsReLU = FeedsReLU(shapes, i);
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

        var outputs = new int[count];
        var masks = new int[count];
        var scratch = new int[count];
        var scratchSizes = new int[count];
        for (int i = 0; i < count; i++)
        {
            (LayerSpec spec, Shape inShape, Shape outShape) = shapes[i];
            outputs[i] = Aliases(i) ? outputs[i - 1] : Allocate(outShape.Size);
            masks[i] = spec.Kind.HasMask ? Allocate(outShape.Size) : -1;
            scratchSizes[i] = spec.Kind.ScratchFloats(spec, inShape, outShape);
            scratch[i] = scratchSizes[i] > 0 ? Allocate(scratchSizes[i]) : -1;
        }

        // Gradients: d loss / d output of each layer where one flows. Backward runs the layers from the logits
        // down, one step each; a gradient lives from the step that writes it (the layer above) to the last step
        // that reads it (its own layer's, or the layer below's when that one applies this activation in its vector
        // kernels); a Flatten passes its slot on. Gradients whose lives overlap get disjoint workspace and the
        // others share it (first fit, largest first), so the workspace holds a few gradients at a time rather than all of them.
        var group = Enumerable.Repeat(-1, count).ToArray();
        var lives = new List<GradientLife>();
        int LastReader(int k) => k >= 1 && Fuses(shapes, k - 1) ? k - 1 : k;
        for (int i = logitsLayer; i >= 1; i--)
        {
            if (Aliases(i))
            {
                group[i - 1] = group[i];
                if (group[i - 1] >= 0)
                {
                    lives[group[i - 1]] = lives[group[i - 1]] with { LastStep = LastReader(i - 1) };
                }
            }
            else if (RunsBackward(i) && NeedsInputGradient(i))
            {
                group[i - 1] = lives.Count;
                lives.Add(new GradientLife(shapes[i - 1].Out.Size, FirstStep: i, LastStep: LastReader(i - 1)));
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

        var deltas = Enumerable.Repeat(GradientSlot.None, count).ToArray();
        deltas[logitsLayer] = GradientSlot.LogitsGradient;
        for (int i = logitsLayer - 1; i >= 0; i--)
        {
            if (group[i] >= 0)
            {
                deltas[i] = GradientSlot.At((int)Math.Min(gradientBase + offsets[group[i]], int.MaxValue));
            }
            else if (Aliases(i + 1))
            {
                deltas[i] = deltas[i + 1];
            }
        }

        if (!CheckSize(model, "the workspace", workspace, model.ClassLocation, diagnostics))
        {
            return null;
        }

        var layers = new LayerPlan[count];
        for (int i = 0; i < count; i++)
        {
            (LayerSpec spec, Shape inShape, Shape outShape) = shapes[i];
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
                RunsBackward(i) && !spec.Kind.AliasesInput,
                FusedActivation: Fuses(shapes, i) ? new Activation((ActivationLayer)KindOf(i + 1), shapes[i + 1].Spec.Options) : null,
                FusedIntoPrevious: i > 0 && Fuses(shapes, i - 1),
                IsFirst: i == 0,
                ScratchOffset: scratch[i],
                ScratchSize: scratchSizes[i],
                StateOffset: states[i],
                AliasesInput: Aliases(i));
        }

        return new NetworkPlan(
            model.Namespace, model.ClassName, input, layers.ToEquatableArray(), (int)parameterOffset, (int)workspace, outputs[logitsLayer], logitsLayer,
            trailing == OutputFunction.Softmax, trailing == OutputFunction.Sigmoid, (int)bufferOffset, (int)stateOffset, segments.ToEquatableArray());
    }

    /// <summary>
    /// Whether layer <paramref name="i"/>'s vector kernels apply the activation that follows it. A trailing
    /// sigmoid is never fused: like a trailing softmax it belongs to the loss, and the logits stay in their slot.
    /// </summary>
    /// <summary>Floats a workspace slot of <paramref name="size"/> takes: rounded up to the alignment, then the slack vector loads may read.</summary>
    private static long SlotLength(int size) => (((size + SlotAlignment - 1) / SlotAlignment) * (long)SlotAlignment) + SlotSlack;

    private static bool Fuses(List<(LayerSpec Spec, Shape In, Shape Out)> shapes, int i) =>
        i + 1 < shapes.Count
        && !(i + 2 == shapes.Count && shapes[i + 1].Spec.Kind.FusesIntoLoss != OutputFunction.None)
        && shapes[i].Spec.Kind.CanFuseActivation
        && shapes[i + 1].Spec.Kind is ActivationLayer { Fusable: true };

    /// <summary>Whether the next layer that transforms values (skipping those <see cref="LayerKind.TransparentToInit"/>) wants He's gain.</summary>
    private static bool FeedsReLU(List<(LayerSpec Spec, Shape In, Shape Out)> shapes, int i)
    {
        for (int j = i + 1; j < shapes.Count; j++)
        {
            LayerKind kind = shapes[j].Spec.Kind;
            if (!kind.TransparentToInit)
            {
                return kind.WantsReLUGain;
            }
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
