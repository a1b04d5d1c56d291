namespace NetGen.Generators.Model;

/// <summary>
/// One layer attribute as written: its kind, its name, where it is written, and its kind's own options record
/// (<see cref="LayerOptions"/>, read by <see cref="Layers.LayerKind.ReadArguments"/>), unchecked: the kind checks
/// them in <see cref="Layers.LayerKind.InferOutput"/>. A layer reads the previous layer's output, or
/// <paramref name="From"/>'s, then (Add, Concat) the outputs of the layers in <paramref name="Joins"/>; the plan
/// resolves the names to earlier layers.
/// </summary>
internal sealed record LayerSpec(
    Layers.LayerKind Kind,
    string? Name,
    LocationInfo? Location,
    LayerOptions Options,
    string? From = null,
    EquatableArray<string> Joins = default);

/// <summary>
/// A network as parsed from its attributes: no Roslyn symbol or syntax, only values, so it compares by value.
/// </summary>
internal sealed record NetworkModel(
    string? Namespace,
    string ClassName,
    string FullyQualifiedName,
    EquatableArray<int> InputShape,
    LocationInfo? InputLocation,
    EquatableArray<LayerSpec> Layers,
    LocationInfo? ClassLocation,
    bool HasInput);
