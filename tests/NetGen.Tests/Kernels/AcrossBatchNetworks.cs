using NetGen;

namespace NetGen.Tests.Kernels;

// Networks whose big Dense layer runs across the batch (weights of at least 65,536 floats).

/// <summary>
/// 1,183 → 61 (72,163 weights) with the ReLU fused: inputs neither a multiple of 16 nor of 8 (the forward's last
/// vector is masked, the backward's too), rows neither a multiple of 8 nor of 4 (partial tiles everywhere).
/// </summary>
[Network, Input(3, 13, 13)]
[Conv2D(7, 3, Padding = 1), ReLU]
[Dense(61), ReLU]
[Dense(10)]
public partial class AcrossBatchRagged;

/// <summary>225 → 300 (67,500 weights) without bias or activation, and without an input gradient: nothing below it learns.</summary>
[Network, Input(1, 30, 30)]
[MaxPool2D(2)]
[Dense(300, Bias = false)]
[Dense(10)]
public partial class AcrossBatchPlain;

/// <summary>2,048 → 128 (262,144 weights), then dropout: the segment after the batched one draws masks.</summary>
[Network, Input(2, 16, 16)]
[Conv2D(8, 3, Padding = 1), ReLU]
[Dense(128), ReLU]
[Dropout(0.25)]
[Dense(10)]
public partial class AcrossBatchDropout;
