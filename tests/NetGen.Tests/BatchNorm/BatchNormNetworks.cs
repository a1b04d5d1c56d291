namespace NetGen.Tests.BatchNorm;

/// <summary>BatchNorm1d after a Dense: 10 channels of one value (lanes across channels, with a tail of 2 on Vector256).</summary>
[Network]
[Input(12)]
[Dense(10)]
[BatchNorm]
[Tanh]
[Dense(5)]
public partial class BnMlp;

/// <summary>BatchNorm2d after a convolution (36 values per channel: whole vectors and a tail), and BatchNorm1d after a Dense.</summary>
[Network]
[Input(2, 6, 6)]
[Conv2D(3, 3, Padding = 1)]
[BatchNorm]
[Tanh]
[AvgPool2D(2)]
[Flatten]
[Dense(9)]
[BatchNorm(Epsilon = 1e-3f, Momentum = 0.2f)]
[Tanh]
[Dense(4)]
public partial class BnConv;

/// <summary>BatchNorm2d on 2×2 maps (4 values per channel: the vector paths run the scalar kernels) and on a flat input of 3.</summary>
[Network]
[Input(2, 4, 4)]
[Conv2D(4, 3, Padding = 1)]
[AvgPool2D(2)]
[BatchNorm]
[Flatten]
[Dense(3)]
[BatchNorm]
public partial class BnSmall;

/// <summary>The logits are BatchNorm's output, so tests can read the normalized values directly.</summary>
[Network]
[Input(6)]
[Dense(9)]
[BatchNorm]
public partial class BnHead;

/// <summary>BatchNorm first: it normalizes the input itself and needs no input gradient.</summary>
[Network]
[Input(1, 5, 5)]
[BatchNorm]
[Conv2D(2, 3)]
[Tanh]
[Flatten]
[Dense(3)]
public partial class BnFirst;
