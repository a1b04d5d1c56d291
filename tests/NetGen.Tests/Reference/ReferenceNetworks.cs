namespace NetGen.Tests.Reference;

// The NetGen twins of the networks in tests/NetGen.Reference/Cases.cs: the same layers in the same order, so the
// same default names (conv1, dense1, bn1, …) and PyTorch's state-dict keys. A change there needs the same change
// here (and the files regenerated).

[Network, Input(5)]
[Dense(4), ReLU]
[Dense(3)]
public partial class RefDense;

[Network, Input(20)]
[Dense(17), Tanh]
[Dense(9)]
public partial class RefDenseWide;

[Network, Input(5)]
[Embedding(7, 3)]
[LSTM(4, ReturnSequences = true)]
[Dense(3)]
public partial class RefLstmSequence;

[Network, Input(6)]
[Embedding(9, 4)]
[LSTM(3, Bidirectional = true)]
[Dense(2)]
public partial class RefBiLstmLast;

[Network, Input(5)]
[Embedding(8, 4)]
[SimpleRNN(3, ReturnSequences = true, Bidirectional = true)]
[SimpleRNN(5)]
[Dense(2)]
public partial class RefRnnStacked;

[Network, Input(4)]
[Embedding(8, 5)]
[LSTM(4, ReturnSequences = true, Bidirectional = true)]
[LSTM(3)]
[Dense(3)]
public partial class RefBiLstmStacked;

[Network, Input(2, 7, 9)]
[Conv2D(3, 3), ReLU]
[Conv2D(2, 2, Stride = 2, Padding = 1)]
[Dense(3)]
public partial class RefConvK3S1P0K2S2P1;

[Network, Input(1, 11, 8)]
[Conv2D(4, 5, Padding = 2), Tanh]
[Conv2D(3, 4, Stride = 3, Padding = 1)]
[Dense(3)]
public partial class RefConvK5S1P2K4S3P1;

[Network, Input(3, 10, 10)]
[Conv2D(2, 7, Padding = 1), Sigmoid]
[Conv2D(3, 1, Stride = 2)]
[Dense(2)]
public partial class RefConvK7S1P1K1S2P0;

[Network, Input(2, 9, 12)]
[Conv2D(3, 6, Stride = 3, Padding = 2), ReLU]
[Conv2D(2, 3, Padding = 2)]
[Dense(3)]
public partial class RefConvK6S3P2K3S1P2;

[Network, Input(1, 8, 13)]
[Conv2D(3, 1, Padding = 1), ReLU]
[Conv2D(2, 7, Stride = 2)]
[Dense(3)]
public partial class RefConvK1S1P1K7S2P0;

[Network, Input(2, 10, 7)]
[Conv2D(3, 3, Stride = 3)]
[Conv2D(2, 2), Tanh]
[Dense(2)]
public partial class RefConvK3S3P0K2S1P0;

[Network, Input(1, 9, 11)]
[Conv2D(2, 5, Stride = 2, Padding = 2)]
[Conv2D(2, 3, Padding = 1), ReLU]
[Dense(3)]
public partial class RefConvK5S2P2K3S1P1;

[Network, Input(2, 6, 20)]
[Conv2D(4, 3, Padding = 1), ReLU]
[Conv2D(2, 3)]
[Dense(3)]
public partial class RefConvWide;

[Network, Input(2, 9, 9)]
[Conv2D(2, 3, Padding = 1), MaxPool2D(3, Stride = 2)]
[MaxPool2D(2)]
[Dense(3)]
public partial class RefPoolMax;

[Network, Input(2, 8, 10)]
[Conv2D(3, 3), AvgPool2D(3, Stride = 2)]
[AvgPool2D(2, Stride = 1)]
[Dense(3)]
public partial class RefPoolAvg;

[Network, Input(1, 12, 12)]
[Conv2D(2, 3), ReLU, MaxPool2D(2, Stride = 1)]
[AvgPool2D(3)]
[Dense(2)]
public partial class RefPoolMixed;

[Network, Input(6)]
[Dense(5), Sigmoid]
[Dense(5), Tanh]
[Dense(4), ReLU]
[Dense(3)]
public partial class RefActivations;

[Network, Input(6)]
[Dense(5), Tanh]
[Dense(4), Softmax]
public partial class RefSoftmaxTrailing;

[Network, Input(6)]
[Dense(5), Softmax]
[Dense(3)]
public partial class RefSoftmaxMiddle;

[Network, Input(6)]
[Dense(8), ReLU, Dropout(0.5f)]
[Dense(3)]
public partial class RefDropout;

[Network, Input(2, 8, 8)]
[Conv2D(3, 3), LeakyReLU(0.1)]
[MaxPool2D(2), LeakyReLU]
[Dense(17), LeakyReLU(0.2)]
[Dense(3)]
public partial class RefLeakyReLU;

[Network, Input(2, 8, 8)]
[Conv2D(3, 3), GELU]
[MaxPool2D(2)]
[Dense(17), GELU]
[Dense(3)]
public partial class RefGELU;

[Network, Input(2, 7, 9)]
[Conv2D(4, 3, Padding = 1, Bias = false), BatchNorm, ReLU]
[Conv2D(3, 3, Bias = false), ReLU]
[Dense(9, Bias = false), Tanh]
[Dense(3)]
public partial class RefNoBias;

[Network, Input(2, 5, 6)]
[Conv2D(3, 3), BatchNorm, ReLU]
[Dense(9), BatchNorm(Epsilon = 1e-3f, Momentum = 0.3f), Tanh]
[Dense(3)]
public partial class RefBatchNorm;

[Network, Input(5)]
[Dense(4), Tanh]
[Dense(3), Sigmoid]
public partial class RefBinary;

[Network, Input(5)]
[Dense(4), ReLU]
[Dense(2)]
public partial class RefRegression;

/// <summary>The network of every optimizer case.</summary>
[Network, Input(4)]
[Dense(5), Tanh]
[Dense(3)]
public partial class RefOptimizerNet;

// Graphs. ResNet-8 is samples/ResNet/ResNet8.cs itself, compiled into this project (NetGen.Tests.csproj).

[Network, Input(2, 8, 8)]
[Conv2D(4, 3, Padding = 1, Bias = false), BatchNorm, ReLU(Name = "b1")]
[Conv2D(6, 3, Stride = 2, Padding = 1, Bias = false), BatchNorm, ReLU]
[Conv2D(6, 3, Padding = 1, Bias = false), BatchNorm(Name = "b2_main")]
[Conv2D(6, 1, Stride = 2, Bias = false, From = "b1"), BatchNorm]
[Add("b2_main"), ReLU]
[GlobalAvgPool2D, Dense(3)]
public partial class RefResidualProjection;

[Network, Input(2, 7, 7)]
[Conv2D(3, 3, Padding = 1), ReLU(Name = "ra")]
[Conv2D(5, 1, From = "ra"), Sigmoid(Name = "sb")]
[Conv2D(2, 3, Padding = 1, From = "ra"), Tanh]
[Concat("sb", "ra")]
[Dense(8), ReLU(Name = "h")]
[Dense(6), Tanh]
[Concat("h"), Dense(4)]
public partial class RefConcatBranches;

[Network, Input(3, 9, 8)]
[Conv2D(5, 3), ReLU]
[Conv2D(4, 3, Stride = 2, Padding = 1)]
[GlobalAvgPool2D, Dense(3)]
public partial class RefGapHead;
