namespace NetGen.Tests.Graphs;

/// <summary>y = tanh(relu(x)) + relu(x): the skip's value read by a later layer and by the Add.</summary>
[Network, Input(37)]
[ReLU(Name = "r")]
[Tanh(From = "r")]
[Add("r")]
public partial class AddClosedForm;

/// <summary>y = [tanh(relu(x)), relu(x), relu(x)]: Concat with one value twice.</summary>
[Network, Input(37)]
[ReLU(Name = "r")]
[Tanh]
[Concat("r", "r")]
public partial class ConcatClosedForm;

/// <summary>
/// An identity residual without BatchNorm: r1 is read by conv2 and by the Add, so conv2's share of its gradient is
/// staged and added (Conv2D cannot add into a slot), and the Add writes first.
/// </summary>
[Network, Input(3, 6, 6)]
[Conv2D(4, 3, Padding = 1), ReLU(Name = "r1")]
[Conv2D(4, 3, Padding = 1), Tanh]
[Add("r1"), ReLU]
[Flatten, Dense(5)]
public partial class IdentityResidual;

/// <summary>
/// A ResNet basic block with a stride-2 main path and a 1×1 stride-2 projection shortcut, each convolution without
/// bias and followed by BatchNorm, then GlobalAvgPool2D and a Dense head: BatchNorm's segments across branches.
/// </summary>
[Network, Input(2, 8, 8)]
[Conv2D(4, 3, Padding = 1, Bias = false), BatchNorm, ReLU(Name = "b1")]
[Conv2D(6, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm, ReLU]
[Conv2D(6, 3, Padding = 1, Bias = false), BatchNorm(Name = "b2_main")]
[Conv2D(6, 1, Stride = 2, Bias = false, From = "b1"), BatchNorm]
[Add("b2_main"), ReLU(Name = "b2")]
[GlobalAvgPool2D, Dense(3)]
public partial class ProjectionResidual;

/// <summary>
/// Branches joined by Concat on [C, H, W] shapes (three readers of one value, a Flatten after the Concat), then a
/// flat Concat of two Dense branches, and an Add of one value with itself.
/// </summary>
[Network, Input(2, 7, 7)]
[Conv2D(3, 3, Padding = 1), ReLU(Name = "ra")]
[Conv2D(5, 1, From = "ra"), Sigmoid(Name = "sb")]
[Conv2D(2, 3, Padding = 1, From = "ra"), Tanh]
[Concat("sb", "ra"), Flatten]
[Dense(8), ReLU(Name = "h")]
[Dense(6), Tanh]
[Concat("h"), Dense(9), ReLU(Name = "twice")]
[Add("twice"), Dense(4)]
public partial class ConcatBranches;

/// <summary><see cref="ProjectionResidual"/> with tanh for ReLU: smooth, so finite differences need no luck with kinks.</summary>
[Network, Input(2, 8, 8)]
[Conv2D(4, 3, Padding = 1, Bias = false), BatchNorm, Tanh(Name = "b1")]
[Conv2D(6, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm, Tanh]
[Conv2D(6, 3, Padding = 1, Bias = false), BatchNorm(Name = "b2_main")]
[Conv2D(6, 1, Stride = 2, Bias = false, From = "b1"), BatchNorm]
[Add("b2_main"), Tanh(Name = "b2")]
[GlobalAvgPool2D, Dense(3)]
public partial class SmoothProjectionResidual;

/// <summary>
/// An Add whose following tanh its vector kernels apply, on 21 values (a partial last vector on both widths), with
/// one operand named twice (its second share is added to the first) and read by a Dense below as well.
/// </summary>
[Network, Input(13)]
[Dense(21), Tanh(Name = "t")]
[Dense(21)]
[Add("t", "t"), Tanh]
[Dense(3)]
public partial class FusedAddTail;
