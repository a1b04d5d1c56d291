using Microsoft.CodeAnalysis;

namespace NetGen.Generators.Diagnostics;

/// <summary>Every diagnostic NetGen reports. Ids are tracked in AnalyzerReleases.*.md.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "NetGen";


    /// <summary>"Network '{0}' has no [Input]: add [Input(...)] with the shape of one sample before the first layer".</summary>
    public static readonly DiagnosticDescriptor MissingInput = Error(
        "NG0001", "Network has no input shape",
        "Network '{0}' has no [Input]: add [Input(...)] with the shape of one sample before the first layer");

    /// <summary>"{0} of layer '{1}' must be {2}; got {3}".</summary>
    public static readonly DiagnosticDescriptor InvalidSize = Error(
        "NG0002", "Invalid layer size",
        "{0} of layer '{1}' must be {2}; got {3}");

    /// <summary>"Layer '{0}': its {1}×{1} window is larger than its input {2}×{3} (padding included); use a smaller window or more padding".</summary>
    public static readonly DiagnosticDescriptor WindowTooLarge = Error(
        "NG0003", "Window larger than its input",
        "Layer '{0}': its {1}×{1} window is larger than its input {2}×{3} (padding included); use a smaller window or more padding");

    /// <summary>"Dropout rate of layer '{0}' must be in [0, 1); got {1}".</summary>
    public static readonly DiagnosticDescriptor InvalidDropoutRate = Error(
        "NG0004", "Dropout rate outside [0, 1)",
        "Dropout rate of layer '{0}' must be in [0, 1); got {1}");

    /// <summary>"Network class '{0}' must be declared partial so NetGen can add its generated members".</summary>
    public static readonly DiagnosticDescriptor NotPartial = Error(
        "NG0005", "Network class is not partial",
        "Network class '{0}' must be declared partial so NetGen can add its generated members");

    /// <summary>"[{0}] is on another partial declaration of '{1}' than [Network]; put every layer attribute on the declaration that carries [Network], so their order is defined".</summary>
    public static readonly DiagnosticDescriptor SplitDeclarations = Error(
        "NG0006", "Layer attributes split across partial declarations",
        "[{0}] is on another partial declaration of '{1}' than [Network]; put every layer attribute on the declaration that carries [Network], so their order is defined");

    /// <summary>"Layer name '{0}' is used twice in network '{1}'; give each layer a unique Name".</summary>
    public static readonly DiagnosticDescriptor DuplicateLayerName = Error(
        "NG0007", "Duplicate layer name",
        "Layer name '{0}' is used twice in network '{1}'; give each layer a unique Name");

    /// <summary>"[Input] must appear exactly once, before the first layer of network '{0}'".</summary>
    public static readonly DiagnosticDescriptor MisplacedInput = Error(
        "NG0008", "Misplaced or repeated input",
        "[Input] must appear exactly once, before the first layer of network '{0}'");

    /// <summary>"Layer '{0}' ({1}) needs a [channels, height, width] input, but gets {2}; move it before the first Dense or Flatten".</summary>
    public static readonly DiagnosticDescriptor NeedsSpatialInput = Error(
        "NG0009", "Layer needs a spatial input",
        "Layer '{0}' ({1}) needs a [channels, height, width] input, but gets {2}; move it before the first Dense or Flatten");

    /// <summary>"[Input] takes 1 to 3 dimensions (features | height, width | channels, height, width); got {0}".</summary>
    public static readonly DiagnosticDescriptor InvalidInputRank = Error(
        "NG0010", "Invalid input rank",
        "[Input] takes 1 to 3 dimensions (features | height, width | channels, height, width); got {0}");

    /// <summary>"Network '{0}' has no layers: add at least one layer attribute after [Input]".</summary>
    public static readonly DiagnosticDescriptor NoLayers = Error(
        "NG0011", "Network has no layers",
        "Network '{0}' has no layers: add at least one layer attribute after [Input]");

    /// <summary>"Layer name '{0}' cannot be used: {1}".</summary>
    public static readonly DiagnosticDescriptor InvalidLayerName = Error(
        "NG0012", "Invalid layer name",
        "Layer name '{0}' cannot be used: {1}");

    /// <summary>"Network class '{0}' must be {1}".</summary>
    public static readonly DiagnosticDescriptor UnsupportedClass = Error(
        "NG0013", "Unsupported network class",
        "Network class '{0}' must be {1}");

    /// <summary>"Network '{0}' is too large: {1} needs {2} floats, more than NetGen supports ({3})".</summary>
    public static readonly DiagnosticDescriptor NetworkTooLarge = Error(
        "NG0014", "Network too large",
        "Network '{0}' is too large: {1} needs {2} floats, more than NetGen supports ({3})");

    /// <summary>"[{0}] derives from LayerAttribute but is not a layer kind NetGen knows; use one of NetGen's layer attributes".</summary>
    public static readonly DiagnosticDescriptor UnknownLayer = Error(
        "NG0015", "Unknown layer kind",
        "[{0}] derives from LayerAttribute but is not a layer kind NetGen knows; use one of NetGen's layer attributes");

    /// <summary>"Softmax layer '{0}' needs a 1-D input, but gets {1}; add [Flatten] or a Dense before it".</summary>
    public static readonly DiagnosticDescriptor SoftmaxNeedsFlatInput = Error(
        "NG0016", "Softmax needs a flat input",
        "Softmax layer '{0}' needs a 1-D input, but gets {1}; add [Flatten] or a Dense before it");

    /// <summary>"{0} layer '{1}' has {2} = {3}; it must be {4}": a kind's argument outside its range (BatchNorm's epsilon, LeakyReLU's slope).</summary>
    public static readonly DiagnosticDescriptor InvalidLayerArgument = Error(
        "NG0017", "Invalid layer argument",
        "{0} layer '{1}' has {2} = {3}; it must be {4}");

    /// <summary>"Network '{0}' bakes its weights from '{1}', but no additional file matches that name; give the file to the compiler with <AdditionalFiles Include="{1}" /> (its path relative to the project); the name matches a file's name or the end of its path".</summary>
    public static readonly DiagnosticDescriptor WeightsFileNotFound = Error(
        "NG0018", "Weights file not found",
        "Network '{0}' bakes its weights from '{1}', but no additional file matches that name; give the file to the compiler with <AdditionalFiles Include=\"{1}\" /> (its path relative to the project); the name matches a file's name or the end of its path");

    /// <summary>"Network '{0}' bakes its weights from '{1}', which matches {2} additional files ({3}); give more of the path so that exactly one matches".</summary>
    public static readonly DiagnosticDescriptor WeightsFileAmbiguous = Error(
        "NG0019", "Weights file ambiguous",
        "Network '{0}' bakes its weights from '{1}', which matches {2} additional files ({3}); give more of the path so that exactly one matches");

    /// <summary>"Weights file '{0}' of network '{1}' is not a safetensors file NetGen can bake: {2}".</summary>
    public static readonly DiagnosticDescriptor WeightsFileMalformed = Error(
        "NG0020", "Weights file malformed",
        "Weights file '{0}' of network '{1}' is not a safetensors file NetGen can bake: {2}");

    /// <summary>"Weights file '{0}' does not match network '{1}': {2}".</summary>
    public static readonly DiagnosticDescriptor WeightsMismatch = Error(
        "NG0021", "Weights file does not match the network",
        "Weights file '{0}' does not match network '{1}': {2}");

    /// <summary>"Class '{1}' has [{0}] but no [Network], so NetGen generates nothing for it: add [Network] before its [Input], or remove NetGen's attributes".</summary>
    public static readonly DiagnosticDescriptor LayersWithoutNetwork = Error(
        "NG0022", "Layer attributes on a class without [Network]",
        "Class '{1}' has [{0}] but no [Network], so NetGen generates nothing for it: add [Network] before its [Input], or remove NetGen's attributes");

    /// <summary>"Layer '{0}' reads '{1}', {2}; a layer reads the output of an earlier layer, named as written or by default (conv1, relu2, …)".</summary>
    public static readonly DiagnosticDescriptor UnknownLayerReference = Error(
        "NG0023", "Layer reads no earlier layer",
        "Layer '{0}' reads '{1}', {2}; a layer reads the output of an earlier layer, named as written or by default (conv1, relu2, …)");

    /// <summary>"{0} layer '{1}' cannot join '{2}' [{3}] with '{4}' [{5}]: {6}".</summary>
    public static readonly DiagnosticDescriptor OperandShapesDiffer = Error(
        "NG0024", "Operand shapes do not fit",
        "{0} layer '{1}' cannot join '{2}' [{3}] with '{4}' [{5}]: {6}");

    /// <summary>"The output of layer '{0}' is read by no later layer, so it cannot affect the network's output; remove the layer, or read it with From, Add or Concat".</summary>
    public static readonly DiagnosticDescriptor UnusedLayerOutput = Error(
        "NG0025", "Layer output unused",
        "The output of layer '{0}' is read by no later layer, so it cannot affect the network's output; remove the layer, or read it with From, Add or Concat");

    /// <summary>"Layer '{0}' ({1}) needs a sequence [steps, features] input, but gets {2}; put an [Embedding] first".</summary>
    public static readonly DiagnosticDescriptor NeedsSequenceInput = Error(
        "NG0026", "Layer needs a sequence input",
        "Layer '{0}' ({1}) needs a sequence [steps, features] input, but gets {2}; put an [Embedding] first");

    /// <summary>"Layer '{0}' ({1}) does not work on a sequence ({2}); ...".</summary>
    public static readonly DiagnosticDescriptor NotOnSequences = Error(
        "NG0027", "Layer does not work on sequences",
        "Layer '{0}' ({1}) does not work on a sequence ({2}); use it before the [Embedding], or [Flatten] the sequence first");

    /// <summary>"Layer '{0}' (Embedding) must be the network's first layer, reading the [Input] of token ids; it reads {1}".</summary>
    public static readonly DiagnosticDescriptor EmbeddingNotFirst = Error(
        "NG0028", "Embedding not first",
        "Layer '{0}' (Embedding) must be the network's first layer, reading the [Input] of token ids as a 1-D shape; it reads {1}");

    private static DiagnosticDescriptor Error(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
