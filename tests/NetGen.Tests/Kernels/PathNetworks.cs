using NetGen;

namespace NetGen.Tests.Kernels;

// Whole networks for the path-agreement tests: the LeNet-5, an MLP, a net with stride 2 and
// padding 1, and odd sizes that leave remainders in every tile.

/// <summary>LeNet-5, as in the sample.</summary>
[Network, Input(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool2D(2)]
[Conv2D(16, 5), ReLU, MaxPool2D(2)]
[Dense(120), ReLU]
[Dense(84), ReLU]
[Dense(10)]
public partial class PathLeNet5;

/// <summary>An MLP with every activation, dropout and a trailing softmax.</summary>
[Network, Input(37)]
[Dense(29), ReLU, Dropout(0.25f)]
[Dense(19), Sigmoid]
[Dense(13), Tanh]
[Dense(7), Softmax]
public partial class PathMlp;

/// <summary>Stride 2 and padding 1, average pooling, odd sizes.</summary>
[Network, Input(3, 13, 11)]
[Conv2D(5, 3, Stride = 2, Padding = 1), Tanh]
[AvgPool2D(2)]
[Flatten, Dense(9)]
public partial class PathStrided;

/// <summary>Odd sizes everywhere: 7 filters, 3×3 kernels, 19×17 inputs, overlapping max pools.</summary>
[Network, Input(2, 19, 17)]
[Conv2D(7, 3, Padding = 1), ReLU, MaxPool2D(3, Stride = 2)]
[Conv2D(11, 3), Sigmoid]
[Dense(23), ReLU]
[Dense(5)]
public partial class PathOddSizes;
