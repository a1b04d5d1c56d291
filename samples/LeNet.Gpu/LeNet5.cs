using NetGen;

namespace LeNetGpu;

/// <summary>LeNet-5, as in samples/LeNet; here the project references NetGen.Gpu, so it gets ILGPU kernels too.</summary>
[Network, Input(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool2D(2)]
[Conv2D(16, 5), ReLU, MaxPool2D(2)]
[Dense(120), ReLU]
[Dense(84), ReLU]
[Dense(10)]
public partial class LeNet5;
