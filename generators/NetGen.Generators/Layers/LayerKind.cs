using System.Collections.Generic;
using NetGen.Generators.Emit;
using NetGen.Generators.Layers.Gpu;
using NetGen.Generators.Model;

namespace NetGen.Generators.Layers;

/// <summary>
/// Where one layer's operands live at a call site: C# expressions for spans over the input, the output, the
/// parameters and their gradients. Null when the layer or the pass has no such operand.
/// </summary>
internal sealed record LayerOperands(
    string X,
    string Y,
    string? W,
    string? B,
    string? Dy,
    string? Dx,
    string? DW,
    string? DB,
    string? Mask,
    string? Scratch,
    SlotTable? Slots = null)
{
    /// <summary>Every operand's input span, in order (<see cref="X"/> first): what Add and Concat read.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = new[] { X };

    /// <summary>Where each operand's gradient goes, in order (<see cref="Dx"/> first), null for an operand that needs none.</summary>
    public IReadOnlyList<string?> InputGradients { get; init; } = new[] { Dx };

    /// <summary>A named slot for a kind's own operands (see <see cref="SlotTable.Use"/>), or the bare slice without a table.</summary>
    public string Slot(string buffer, int offset, int length, string layer, string role, string comment) =>
        Slots?.Use(buffer, offset, length, layer, role, comment) ?? CodeWriter.Format("{0}.Slice({1}, {2})", buffer, offset, length);
}

/// <summary>
/// One kind of layer: its attribute's arguments, its shape rule and diagnostics, its tensors, the members it
/// generates, and the code of its forward and backward pass (its GPU kernels in <see cref="GpuKind"/>). Adding a
/// layer kind means adding one sealed subclass with a parameterless constructor, in its own file, and the
/// attribute it stands for: the one registry here finds every kind in this assembly, maps the attribute's
/// metadata name to it and the kind to its GPU kernels. The plan and the emitters ask the kind (never its type)
/// what they need to know.
/// </summary>
internal abstract class LayerKind
{
    private const string AttributeNamespace = "NetGen.";

    private static readonly LayerKind[] s_kinds = Discover();

    private static readonly Dictionary<string, LayerKind> s_byAttribute = ByAttribute();

    /// <summary>Every registered kind, ordered by <see cref="DisplayName"/>.</summary>
    public static IReadOnlyList<LayerKind> All => s_kinds;

    /// <summary>Metadata names of the layer attributes (<c>NetGen.DenseAttribute</c>), in <see cref="All"/>'s order.</summary>
    public static IEnumerable<string> AttributeNames => s_byAttribute.Keys;

    /// <summary>The kind a layer attribute's metadata name (<c>NetGen.DenseAttribute</c>) stands for; false for an attribute no kind declares.</summary>
    public static bool TryFromAttribute(string metadataName, out LayerKind kind) => s_byAttribute.TryGetValue(metadataName, out kind!);

    /// <summary>The kind whose <see cref="DisplayName"/> is <paramref name="displayName"/> (tests and messages); throws for an unknown one.</summary>
    public static LayerKind Named(string displayName) =>
        System.Array.Find(s_kinds, k => k.DisplayName == displayName) ?? throw new KeyNotFoundException("No layer kind is called '" + displayName + "'.");

    /// <summary>The metadata name of the kind's attribute: <c>NetGen.</c>, the <see cref="DisplayName"/>, <c>Attribute</c>.</summary>
    public string AttributeName => AttributeNamespace + DisplayName + "Attribute";

    /// <summary>The kind's ILGPU kernels and launches: a property of the kind, so no kind can be without its own.</summary>
    public abstract GpuLayerKind GpuKind { get; }

    /// <summary>
    /// Every concrete <see cref="LayerKind"/> of this assembly, one instance each. Each kind is a singleton, so
    /// plans compare their kinds by reference.
    /// </summary>
    private static LayerKind[] Discover()
    {
        var kinds = new List<LayerKind>();
        foreach (System.Type type in typeof(LayerKind).Assembly.GetTypes())
        {
            if (!type.IsAbstract && type.IsSubclassOf(typeof(LayerKind)))
            {
                kinds.Add((LayerKind)System.Activator.CreateInstance(type));
            }
        }

        kinds.Sort((a, b) => string.CompareOrdinal(a.DisplayName, b.DisplayName));
        return kinds.ToArray();
    }

    private static Dictionary<string, LayerKind> ByAttribute()
    {
        var byAttribute = new Dictionary<string, LayerKind>(System.StringComparer.Ordinal);
        foreach (LayerKind kind in s_kinds)
        {
            byAttribute.Add(kind.AttributeName, kind);
        }

        return byAttribute;
    }

    /// <summary>The kind as users write it (<c>Conv2D</c>), also the <c>Kind</c> in <c>LayerInfo</c>.</summary>
    public abstract string DisplayName { get; }

    /// <summary>Prefix of default layer names: <c>conv</c> gives <c>conv1</c>, <c>conv2</c>, ….</summary>
    public abstract string NamePrefix { get; }

    /// <summary>
    /// Suffixes of the members the kind generates per layer, each after the layer's property name: the empty
    /// suffix is the <c>LayerView</c> property, the others its kernels. Two layers whose members would share a name
    /// are reported (NG0012).
    /// </summary>
    public virtual IEnumerable<string> MemberSuffixes => s_passSuffixes;

    /// <summary>Members the kind adds to the whole network when it has a layer of this kind (BatchNorm's buffers and segments).</summary>
    public virtual IEnumerable<string> NetworkMembers => System.Array.Empty<string>();

    /// <summary>The forward and backward kernels of each path: what every kind generates per layer.</summary>
    private static readonly string[] s_passSuffixes =
    {
        string.Empty, "Forward", "Backward", "ForwardV256", "BackwardV256", "ForwardV512", "BackwardV512",
    };

    /// <summary>Whether the layer's output is its input, reinterpreted (Flatten): the plan gives it its input's slots and no code runs.</summary>
    public virtual bool AliasesInput => false;

    /// <summary>
    /// Whether the layer's output is its operands one after the other (Concat): the plan then places each operand's
    /// value, where it can, straight into its range of the output, so the forward pass copies nothing for it
    /// (<see cref="ConcatLayer.InPlace"/> says which operands are placed so).
    /// </summary>
    public virtual bool JoinsOperandsInPlace => false;

    /// <summary>
    /// Whether the kind leaves the scale of its input alone for initialisation purposes (Flatten, Dropout,
    /// BatchNorm): a layer's weights are initialised for the first layer after it that is not.
    /// </summary>
    public virtual bool TransparentToInit => false;

    /// <summary>
    /// Whether layers that feed this one initialise their weights for it with He's gain (√2, as for ReLU);
    /// see <see cref="TensorInit.ForLayerFeedingReLU"/>.
    /// </summary>
    public virtual bool WantsReLUGain => false;

    /// <summary>
    /// As the network's last layer after a layer that produces the logits: the output function the loss takes
    /// over (softmax for the cross-entropy, sigmoid for the binary cross-entropy), so the logits stay in their
    /// slot and backward starts from them. <see cref="OutputFunction.None"/> for every other kind.
    /// </summary>
    public virtual OutputFunction FusesIntoLoss => OutputFunction.None;

    /// <summary>
    /// Floats of batch-wide state the layer needs between the forward passes of a batch's samples (BatchNorm's
    /// batch statistics). A kind with batch state splits the training pass into segments at the layer
    /// (<see cref="ISegmentBoundary"/>), since its statistics need the whole batch's forward pass below it.
    /// </summary>
    public virtual int BatchStateFloats(LayerSpec spec, Shape input) => 0;

    /// <summary>
    /// Floats of the largest view of the input the layer's kernels build (a zero-padded copy), checked against
    /// the largest buffer NetGen plans before the kind's own shape arithmetic runs.
    /// </summary>
    public virtual long PaddedInputFloats(LayerSpec spec, Shape input) => input.LongSize;

    /// <summary>Whether the layer has trainable parameters.</summary>
    public virtual bool HasParameters => false;

    /// <summary>Whether the layer needs a dropout mask in the workspace.</summary>
    public virtual bool HasMask => false;

    /// <summary>
    /// Reads the kind's attribute arguments and defaults into a spec, unchecked (<see cref="InferOutput"/> checks
    /// them). By default the attribute has no argument but its <c>Name</c>.
    /// </summary>
    public virtual LayerSpec ReadArguments(LayerArguments arguments) => arguments.Spec();

    /// <summary>
    /// The output shape for <paramref name="input"/>, or null after adding diagnostics when the layer cannot
    /// work on that input.
    /// </summary>
    public abstract Shape? InferOutput(LayerSpec spec, string name, Shape input, List<DiagnosticInfo> diagnostics);

    /// <summary>
    /// The output shape for the layer's operands (the previous layer's output or <c>From</c>'s, then the layers
    /// its attribute joins), each with the name of the layer that produces it; by default the one-input rule.
    /// </summary>
    public virtual Shape? InferOutput(LayerSpec spec, string name, IReadOnlyList<(string Name, Shape Shape)> operands, List<DiagnosticInfo> diagnostics) =>
        InferOutput(spec, name, operands[0].Shape, diagnostics);

    /// <summary>
    /// Whether the kind's backward kernels can add an operand's gradient into its slot instead of overwriting it
    /// (<see cref="Operand.Accumulates"/>); for the other kinds, an operand whose value has several readers gets
    /// its gradient in a staging slot that the emitter then adds into the value's.
    /// </summary>
    public virtual bool AccumulatesInputGradients => false;

    /// <summary>Parameter tensors (key suffix, PyTorch shape and initialisation), weight first.</summary>
    public virtual IEnumerable<TensorSpec> ParameterTensors(LayerSpec spec, Shape input, Shape output)
    {
        yield break;
    }

    /// <summary>Non-trainable state tensors (key suffix, PyTorch shape and initialisation), kept in the network's buffers.</summary>
    public virtual IEnumerable<TensorSpec> BufferTensors(LayerSpec spec, Shape input, Shape output)
    {
        yield break;
    }

    /// <summary>Writes the layer's forward method.</summary>
    public abstract void EmitForward(CodeWriter w, LayerPlan layer);

    /// <summary>The statement that calls the forward method.</summary>
    public abstract string ForwardCall(LayerPlan layer, LayerOperands operands);

    /// <summary>Writes the layer's backward method (with or without the input gradient, per <see cref="LayerPlan.NeedsInputGradient"/>).</summary>
    public abstract void EmitBackward(CodeWriter w, LayerPlan layer);

    /// <summary>The statement that calls the backward method.</summary>
    public abstract string BackwardCall(LayerPlan layer, LayerOperands operands);

    /// <summary>
    /// Whether the kind writes its own Vector256 / Vector512 kernels. Kinds that do not are run by the vector
    /// paths through their scalar kernel.
    /// </summary>
    public virtual bool HasVectorKernels => false;

    /// <summary>
    /// Why the vector path of <paramref name="width"/> floats (8: Vector256, 16: Vector512) runs this layer's
    /// scalar loops, as "forward and backward: reason"; null when it runs vector kernels (or there is no work to
    /// vectorize). The generated header lists every such layer, and a generator test keeps the network families
    /// the project serves free of them.
    /// </summary>
    public virtual string? ScalarFallback(LayerPlan layer, int width) => HasVectorKernels ? null : "forward and backward: " + DisplayName + " has no vector kernels";

    /// <summary>Whether the kind's vector kernels can apply a following activation in registers, when that activation allows it (<see cref="ActivationLayer.Fusable"/>; see <see cref="LayerPlan.FusedActivation"/>).</summary>
    public virtual bool CanFuseActivation => false;

    /// <summary>
    /// Floats of workspace scratch the layer's kernels need (e.g. a zero-padded copy of the input), reachable as
    /// <see cref="LayerOperands.Scratch"/>: a slot of the layer's own, or, where <see cref="ScratchIsTransient"/>,
    /// the region every such layer shares.
    /// </summary>
    public virtual int ScratchFloats(LayerSpec spec, Shape input, Shape output) => 0;

    /// <summary>
    /// Whether the layer's scratch lives only during one call of one of its kernels: each kernel writes what it reads
    /// there first and leaves nothing another call needs. The planner then gives all such layers one region, as
    /// large as the largest of them, since one layer runs at a time (BatchNorm's x̂, kept from forward to backward,
    /// is not transient).
    /// </summary>
    public virtual bool ScratchIsTransient => false;

    /// <summary>
    /// The layer's options with what the kind decides once the shapes are known (Conv2D's register tiles and
    /// scratch layout), which the plan keeps (<see cref="LayerPlan.Options"/>) so that emitters only read it; by
    /// default the options as read.
    /// </summary>
    public virtual LayerOptions Decide(LayerSpec spec, Shape input, Shape output) => spec.Options;

    /// <summary>The parts of the layer's scratch for the header's workspace map (by default the scratch as one slot).</summary>
    public virtual IEnumerable<WorkspaceMap.Slot> ScratchSlots(LayerPlan layer)
    {
        if (layer.ScratchOffset >= 0)
        {
            yield return new WorkspaceMap.Slot("scratch", layer.ScratchOffset, layer.ScratchSize, ScratchIsTransient ? "scratch (shared)" : "scratch", "-");
        }
    }

    /// <summary>Writes the forward kernel for vectors of <paramref name="width"/> floats (8: Vector256, 16: Vector512).</summary>
    public virtual void EmitVectorForward(CodeWriter w, LayerPlan layer, int width)
    {
    }

    /// <summary>Writes the backward kernel for vectors of <paramref name="width"/> floats.</summary>
    public virtual void EmitVectorBackward(CodeWriter w, LayerPlan layer, int width)
    {
    }

    /// <summary>The statement that runs the forward pass on the vector path of <paramref name="width"/>.</summary>
    public virtual string VectorForwardCall(LayerPlan layer, LayerOperands operands, int width) => ForwardCall(layer, operands);

    /// <summary>The statement that runs the backward pass on the vector path of <paramref name="width"/>.</summary>
    public virtual string VectorBackwardCall(LayerPlan layer, LayerOperands operands, int width) => BackwardCall(layer, operands);

    /// <summary>The static vector class (<see cref="Aliases.V256"/> or <see cref="Aliases.V512"/>) for a width of 8 or 16 floats.</summary>
    protected static string Vector(int width) => width == 16 ? Aliases.V512 : Aliases.V256;

    /// <summary>The vector type (<see cref="Aliases.Vec8f"/> or <see cref="Aliases.Vec16f"/>) for a width of 8 or 16.</summary>
    protected static string VectorOfFloat(int width) => width == 16 ? Aliases.Vec16f : Aliases.Vec8f;

    /// <summary>The kernel name suffix of a vector width: V256 or V512.</summary>
    protected static string Suffix(int width) => width == 16 ? "V512" : "V256";

    protected const string ReadOnlySpan = Aliases.ReadOnlyFloatSpan;
    protected const string Span = Aliases.FloatSpan;

    protected static string I(int value) => CodeWriter.Int(value);

    protected static string F(float value) => CodeWriter.Float(value);

    protected static void Summary(CodeWriter w, string text) => w.Line("/// <summary>" + text + "</summary>");

    protected static string Forward(LayerPlan layer) => layer.PropertyName + "Forward";

    protected static string Backward(LayerPlan layer) => layer.PropertyName + "Backward";

    /// <summary>The layer's options record, as its kind declares it.</summary>
    protected static T Options<T>(LayerPlan layer)
        where T : LayerOptions => (T)layer.Options;

    /// <summary>The spec's options record, as its kind declares it.</summary>
    protected static T Options<T>(LayerSpec spec)
        where T : LayerOptions => (T)spec.Options;

    /// <summary>"conv1: Conv2D 1×28×28 → 6×28×28" — the head of each kernel's comment.</summary>
    protected string Head(LayerPlan layer) => layer.Name + ": " + DisplayName + " " + layer.Input + " → " + layer.Output;

    /// <summary>
    /// A double-valued attribute argument as the user reads it in a message: the float's shortest form when the
    /// value is a float (what <c>0.3f</c> became), else the double's (<c>0.3</c>, <c>1E-50</c>).
    /// </summary>
    protected static string Written(double value)
    {
        float single = (float)value;
        return (double)single == value || double.IsNaN(value)
            ? single.ToString(System.Globalization.CultureInfo.InvariantCulture)
            : value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary><see cref="Written"/> and the float the kernels would use, for a value that only its rounding makes invalid: <c>1E-50 (0 as a float)</c>.</summary>
    protected static string AsFloat(double value) =>
        Written(value) + " (" + ((float)value).ToString(System.Globalization.CultureInfo.InvariantCulture) + " as a float)";

    /// <summary>Reports a size that must be positive; returns false when it is not.</summary>
    protected static bool RequirePositive(int value, string what, string name, LayerSpec spec, List<DiagnosticInfo> diagnostics)
    {
        if (value > 0)
        {
            return true;
        }

        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DiagnosticDescriptors.InvalidSize, spec.Location, what, name, "positive", value));
        return false;
    }

    /// <summary>Reports a layer that cannot work on a sequence (one that would treat its steps as channels); returns false for a sequence.</summary>
    protected bool RejectSequence(Shape input, string name, LayerSpec spec, List<DiagnosticInfo> diagnostics)
    {
        if (!input.IsSequence)
        {
            return true;
        }

        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DiagnosticDescriptors.NotOnSequences, spec.Location, name, DisplayName, "[" + input + "]"));
        return false;
    }

    /// <summary>Reports a layer that needs a sequence [T, F] input (a recurrent layer); returns false otherwise.</summary>
    protected bool RequireSequence(Shape input, string name, LayerSpec spec, List<DiagnosticInfo> diagnostics)
    {
        if (input.IsSequence)
        {
            return true;
        }

        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DiagnosticDescriptors.NeedsSequenceInput, spec.Location, name, DisplayName, "[" + input + "]"));
        return false;
    }

    /// <summary>Reports a layer that needs a [C, H, W] input; returns false when the input is flat or a sequence.</summary>
    protected bool RequireSpatial(Shape input, string name, LayerSpec spec, List<DiagnosticInfo> diagnostics)
    {
        if (input.IsSpatial)
        {
            return true;
        }

        diagnostics.Add(DiagnosticInfo.Create(Diagnostics.DiagnosticDescriptors.NeedsSpatialInput, spec.Location, name, DisplayName, "[" + input + "]"));
        return false;
    }
}
