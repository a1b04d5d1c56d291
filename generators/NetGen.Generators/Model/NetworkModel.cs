namespace NetGen.Generators.Model;

/// <summary>The layer kinds NetGen knows; one <see cref="Layers.LayerKind"/> implements each.</summary>
internal enum LayerKindId
{
    Dense,
    Conv2D,
    MaxPool2D,
    AvgPool2D,
    Flatten,
    ReLU,
    Sigmoid,
    Tanh,
    Softmax,
    Dropout,
    BatchNorm,
}

/// <summary>
/// One layer attribute as written: its kind and arguments, unchecked. <see cref="Size"/> is the unit count
/// (Dense), filter count (Conv2D) or window size (pools); <see cref="Kernel"/> is Conv2D's kernel.
/// <see cref="Stride"/> is the window size for pools and 1 for Conv2D when not given (<see cref="StrideGiven"/>
/// false). <see cref="Rate"/> (Dropout's), <see cref="Epsilon"/> and <see cref="Momentum"/> (BatchNorm's) are the
/// attribute's values as written, in double precision; the kinds check them, and the plan takes the nearest floats.
/// </summary>
internal sealed record LayerSpec(
    LayerKindId Kind,
    string? Name,
    int Size,
    int Kernel,
    int Stride,
    int Padding,
    double Rate,
    LocationInfo? Location,
    double Epsilon = 1e-5,
    double Momentum = 0.1,
    bool StrideGiven = false);

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
