using NetGen;

namespace NetGen.Benchmarks;

/// <summary>The stride-2 CNN (<see cref="StridedCnnShape"/>); <see cref="TorchSide"/> builds the same network in TorchSharp.</summary>
[Network, Input(1, 28, 28)]
[Conv2D(16, 3, Stride = 2, Padding = 1), ReLU]
[Conv2D(32, 3, Stride = 2, Padding = 1), ReLU]
[Dense(128), ReLU]
[Dense(10)]
public partial class NetGenStridedCnn;
