using NetGen;

namespace LeNet;

/// <summary>LeNet-5 with dropout (rate 0.5) before each of the last two dense layers: <c>--dropout 0.5</c>.</summary>
[Network, Input(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool2D(2)]
[Conv2D(16, 5), ReLU, MaxPool2D(2)]
[Dense(120), ReLU, Dropout(0.5f)]
[Dense(84), ReLU, Dropout(0.5f)]
[Dense(10)]
public partial class LeNet5Dropout;

/// <summary>LeNet-5 with batch normalization after every convolution and hidden dense layer: <c>--batchnorm</c>.</summary>
[Network, Input(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), BatchNorm, ReLU, MaxPool2D(2)]
[Conv2D(16, 5), BatchNorm, ReLU, MaxPool2D(2)]
[Dense(120), BatchNorm, ReLU]
[Dense(84), BatchNorm, ReLU]
[Dense(10)]
public partial class LeNet5BatchNorm;

/// <summary>LeNet-5 with batch normalization and dropout: <c>--batchnorm --dropout 0.5</c>.</summary>
[Network, Input(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), BatchNorm, ReLU, MaxPool2D(2)]
[Conv2D(16, 5), BatchNorm, ReLU, MaxPool2D(2)]
[Dense(120), BatchNorm, ReLU, Dropout(0.5f)]
[Dense(84), BatchNorm, ReLU, Dropout(0.5f)]
[Dense(10)]
public partial class LeNet5BatchNormDropout;
