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
            .Concat(LayerKind.All.SelectMany(kind => kind.Value.NetworkMembers)),
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
        if (model.Layers.Count == 0 || model.Layers.All(l => l.Kind == LayerKindId.Flatten))
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
            long pad = 2L * Math.Max(spec.Padding, 0);
            if (!CheckSize(model, names[index] + " padded input", shape.C * (shape.H + pad) * (shape.W + pad), spec.Location, diagnostics))
            {
                current = null;
                continue;
            }

            current = LayerKind.For(spec.Kind).InferOutput(spec, names[index], shape, diagnostics);
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
        var counters = new Dictionary<LayerKindId, int>();
        var names = new string[model.Layers.Count];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var identifiers = new HashSet<string>(s_reservedMembers, StringComparer.Ordinal) { model.ClassName };
        for (int i = 0; i < names.Length; i++)
        {
            LayerSpec spec = model.Layers[i];
            counters[spec.Kind] = counters.TryGetValue(spec.Kind, out int n) ? n + 1 : 1;
            string name = spec.Name ?? LayerKind.For(spec.Kind).NamePrefix + counters[spec.Kind].ToString(System.Globalization.CultureInfo.InvariantCulture);
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
            foreach (string member in LayerKind.For(spec.Kind).MemberSuffixes.Select(suffix => property + suffix))
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
        // A trailing softmax (or sigmoid) is fused into the loss when something before it produces the logits.
        bool endsWithSoftmax = count > 1 && shapes[count - 1].Spec.Kind == LayerKindId.Softmax;
        bool endsWithSigmoid = count > 1 && shapes[count - 1].Spec.Kind == LayerKindId.Sigmoid;
        int logitsLayer = endsWithSoftmax || endsWithSigmoid ? count - 2 : count - 1;

        // A layer needs d loss / d input when some layer below it has parameters.
        int firstParameterLayer = shapes.FindIndex(s => LayerKind.For(s.Spec.Kind).HasParameters);
        bool NeedsInputGradient(int i) => firstParameterLayer >= 0 && i > firstParameterLayer;
        bool RunsBackward(int i) => i <= logitsLayer && (LayerKind.For(shapes[i].Spec.Kind).HasParameters || NeedsInputGradient(i));

        // Parameters: one flat buffer, layer by layer, weight then bias. Buffers (BatchNorm's running
        // statistics) go to a second flat buffer, and BatchNorm's batch statistics to a third (4·C each).
        long parameterOffset = 0, bufferOffset = 0, stateOffset = 0;
        var tensors = new List<TensorPlan>[count];
        var states = new int[count];
        for (int i = 0; i < count; i++)
        {
            tensors[i] = new List<TensorPlan>();
            LayerKind kind = LayerKind.For(shapes[i].Spec.Kind);
            bool feedsReLU = FeedsReLU(shapes, i);
            foreach (TensorSpec tensor in kind.ParameterTensors(shapes[i].Spec, shapes[i].In, shapes[i].Out))
            {
                long length = tensor.Shape.Aggregate(1L, (a, d) => a * d);
                if (!CheckSize(model, names[i] + "." + tensor.Suffix, parameterOffset + length, shapes[i].Spec.Location, diagnostics))
                {
                    return null;
                }

                tensors[i].Add(new TensorPlan(tensor.Suffix, (int)parameterOffset, tensor.Shape.ToEquatableArray(), tensor.Init.ForLayerFeedingReLU(feedsReLU)));
                parameterOffset += length;
            }

            foreach (TensorSpec tensor in kind.BufferTensors(shapes[i].Spec, shapes[i].In, shapes[i].Out))
            {
                long length = tensor.Shape.Aggregate(1L, (a, d) => a * d);
                tensors[i].Add(new TensorPlan(tensor.Suffix, (int)bufferOffset, tensor.Shape.ToEquatableArray(), tensor.Init.ForLayerFeedingReLU(feedsReLU), IsBuffer: true));
                bufferOffset += length;
            }

            states[i] = -1;
            if (shapes[i].Spec.Kind == LayerKindId.BatchNorm)
            {
                states[i] = (int)stateOffset;
                stateOffset += 4L * shapes[i].In.C;
            }
        }

        // Workspace: each layer's output, its gradient where one flows, and dropout masks. A Flatten aliases
        // its input; a delta of -2 means "the logits gradient argument", -1 "none".
        long workspace = 0;
        int Allocate(int size)
        {
            long at = workspace;
            workspace += (((size + SlotAlignment - 1) / SlotAlignment) * (long)SlotAlignment) + SlotSlack;
            return (int)Math.Min(at, int.MaxValue);
        }

        var outputs = new int[count];
        var masks = new int[count];
        var scratch = new int[count];
        var scratchSizes = new int[count];
        for (int i = 0; i < count; i++)
        {
            // A Flatten shares its input's slot; a first-layer Flatten copies the input into one of its own.
            bool alias = shapes[i].Spec.Kind == LayerKindId.Flatten && i > 0;
            outputs[i] = alias ? outputs[i - 1] : Allocate(shapes[i].Out.Size);
            masks[i] = LayerKind.For(shapes[i].Spec.Kind).HasMask ? Allocate(shapes[i].Out.Size) : -1;
            scratchSizes[i] = LayerKind.For(shapes[i].Spec.Kind).ScratchFloats(shapes[i].Spec, shapes[i].In, shapes[i].Out);
            scratch[i] = scratchSizes[i] > 0 ? Allocate(scratchSizes[i]) : -1;
        }

        var deltas = Enumerable.Repeat(-1, count).ToArray();
        deltas[logitsLayer] = -2;
        for (int i = logitsLayer; i >= 1; i--)
        {
            if (shapes[i].Spec.Kind == LayerKindId.Flatten)
            {
                deltas[i - 1] = deltas[i];
            }
            else if (RunsBackward(i) && NeedsInputGradient(i))
            {
                deltas[i - 1] = Allocate(shapes[i - 1].Out.Size);
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
                spec.Kind == LayerKindId.Conv2D ? spec.Kernel : spec.Size,
                spec.Stride,
                spec.Padding,
                (float)spec.Rate,
                tensors[i].ToEquatableArray(),
                outputs[i],
                deltas[i],
                masks[i],
                NeedsInputGradient(i),
                RunsBackward(i) && spec.Kind != LayerKindId.Flatten,
                FusedActivation: Fuses(shapes, i) ? shapes[i + 1].Spec.Kind : null,
                FusedIntoPrevious: i > 0 && Fuses(shapes, i - 1),
                IsFirst: i == 0,
                ScratchOffset: scratch[i],
                ScratchSize: scratchSizes[i],
                Epsilon: (float)spec.Epsilon,
                Momentum: (float)spec.Momentum,
                StateOffset: states[i]);
        }

        return new NetworkPlan(
            model.Namespace, model.ClassName, input, layers.ToEquatableArray(), (int)parameterOffset, (int)workspace, outputs[logitsLayer],
            endsWithSoftmax, endsWithSigmoid, (int)bufferOffset, (int)stateOffset);
    }

    /// <summary>
    /// Whether layer <paramref name="i"/>'s vector kernels apply the activation that follows it. A trailing
    /// sigmoid is never fused: like a trailing softmax it belongs to the loss, and the logits stay in their slot.
    /// </summary>
    private static bool Fuses(List<(LayerSpec Spec, Shape In, Shape Out)> shapes, int i) =>
        i + 1 < shapes.Count
        && !(i + 2 == shapes.Count && shapes[i + 1].Spec.Kind == LayerKindId.Sigmoid)
        && LayerKind.For(shapes[i].Spec.Kind).CanFuseActivation
        && shapes[i + 1].Spec.Kind is LayerKindId.ReLU or LayerKindId.Sigmoid or LayerKindId.Tanh;

    /// <summary>Whether the next layer that transforms values (skipping Flatten and Dropout) is a ReLU.</summary>
    private static bool FeedsReLU(List<(LayerSpec Spec, Shape In, Shape Out)> shapes, int i)
    {
        for (int j = i + 1; j < shapes.Count; j++)
        {
            LayerKindId kind = shapes[j].Spec.Kind;
            if (kind is LayerKindId.Flatten or LayerKindId.Dropout or LayerKindId.BatchNorm)
            {
                continue;
            }

            return kind == LayerKindId.ReLU;
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
