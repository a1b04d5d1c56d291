namespace NetGen;

/// <summary>
/// The sizes of a network, reachable from an instance: <c>net.Sizes.OutputSize</c> is <c>LeNet5.OutputSize</c>.
/// </summary>
/// <remarks>
/// A generated network declares its sizes as constants of its class (<c>LeNet5.InputSize</c>), usable wherever C#
/// needs a constant. C# forbids an instance member of the same name beside them, so <c>net.InputSize</c> cannot
/// compile on the class (it is <see cref="INetwork.InputSize"/> on the interface); <c>net.Sizes</c> gives the same
/// values from any instance, with the same names.
/// </remarks>
/// <param name="InputSize">Floats in one input sample (<see cref="INetwork.InputSize"/>).</param>
/// <param name="OutputSize">Floats in one output sample (<see cref="INetwork.OutputSize"/>).</param>
/// <param name="ParameterCount">Trainable parameters (<see cref="INetwork.ParameterCount"/>).</param>
/// <param name="WorkspaceSize">Floats of per-sample training workspace (<see cref="INetwork.WorkspaceSize"/>).</param>
public readonly record struct NetworkSizes(int InputSize, int OutputSize, int ParameterCount, int WorkspaceSize);
