using NetGen;

namespace NetGen.Benchmarks;

/// <summary>LeNet-5 as the sample declares it; <see cref="TorchSide"/> builds the same network in TorchSharp.</summary>
[Network, Input(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool2D(2)]
[Conv2D(16, 5), ReLU, MaxPool2D(2)]
[Dense(120), ReLU]
[Dense(84), ReLU]
[Dense(10)]
public partial class NetGenLeNet5;
