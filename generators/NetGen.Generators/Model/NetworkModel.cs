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
/// <see cref="Stride"/> is 0 when not given. <see cref="Epsilon"/> and <see cref="Momentum"/> are BatchNorm's.
/// </summary>
internal sealed record LayerSpec(
    LayerKindId Kind,
    string? Name,
    int Size,
    int Kernel,
    int Stride,
    int Padding,
    float Rate,
    LocationInfo? Location,
    float Epsilon = 1e-5f,
    float Momentum = 0.1f);

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
