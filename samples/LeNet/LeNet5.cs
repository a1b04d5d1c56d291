using NetGen;

namespace LeNet;

/// <summary>LeNet-5 as in the NetGen README: two convolutions with pooling, then three dense layers.</summary>
[Network, Input(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool2D(2)]
[Conv2D(16, 5), ReLU, MaxPool2D(2)]
[Dense(120), ReLU]
[Dense(84), ReLU]
[Dense(10)]
public partial class LeNet5;
