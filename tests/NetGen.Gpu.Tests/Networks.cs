namespace NetGen.Gpu.Tests;

// Small networks, one or two layer kinds each, so the GPU path can be compared with the CPU's scalar path on
// ILGPU's CPU accelerator in well under a second apiece.

/// <summary>Dense and ReLU (a Dense below another, so the input gradient runs).</summary>
[Network, Input(6)]
[Dense(5), ReLU]
[Dense(3)]
public partial class GpuDenseNet;

/// <summary>A Dense large enough that the tiled kernels pay off (90 × 50 weights), with a partial 16 × 16 tile in every dimension.</summary>
[Network, Input(50)]
[Dense(90), ReLU]
[Dense(10)]
public partial class GpuWideDenseNet;

/// <summary>Conv2D with zero padding, then with stride 2; Flatten.</summary>
[Network, Input(2, 6, 6)]
[Conv2D(3, 3, Padding = 1), ReLU]
[Conv2D(2, 3, Stride = 2)]
[Flatten, Dense(3)]
public partial class GpuConvNet;

/// <summary>Max pooling 2 × 2 (stride 2) and 3 × 3 with stride 2 (overlapping windows), average pooling 2 × 2 with stride 1 (overlapping).</summary>
[Network, Input(2, 9, 9)]
[Conv2D(2, 3, Padding = 1), MaxPool2D(3, Stride = 2)]
[Conv2D(3, 1), AvgPool2D(2, Stride = 1)]
[MaxPool2D(2)]
[Flatten, Dense(3)]
public partial class GpuPoolNet;

/// <summary>Sigmoid, Tanh, and a trailing softmax fused into the loss.</summary>
[Network, Input(8)]
[Dense(6), Sigmoid]
[Dense(5), Tanh]
[Dense(4), Softmax]
public partial class GpuActivationNet;

/// <summary>A softmax in the middle, which runs its own backward.</summary>
[Network, Input(6)]
[Dense(5), Softmax]
[Dense(3)]
public partial class GpuSoftmaxNet;

/// <summary>Dropout with rate 0 (the same masks on both devices), between two Dense layers.</summary>
[Network, Input(6)]
[Dense(5), ReLU, Dropout(0f)]
[Dense(3)]
public partial class GpuDropoutZeroNet;

/// <summary>Dropout at rate 0.5, for the statistics of the device's masks.</summary>
[Network, Input(400)]
[Dropout(0.5f), Dense(2)]
public partial class GpuDropoutNet;

/// <summary>BatchNorm2d after a convolution and BatchNorm1d after a Dense, with non-default ε and momentum.</summary>
[Network, Input(2, 5, 5)]
[Conv2D(3, 3), BatchNorm, ReLU]
[Flatten, Dense(6), BatchNorm(Epsilon = 1e-3f, Momentum = 0.2f), Tanh]
[Dense(3)]
public partial class GpuBatchNormNet;

/// <summary>BatchNorm first (no input gradient) and a first-layer Flatten's copy.</summary>
[Network, Input(1, 4, 4)]
[BatchNorm, Flatten]
[Dense(3)]
public partial class GpuBatchNormFirstNet;

/// <summary>A first-layer Flatten copies the input into its own slot.</summary>
[Network, Input(2, 3, 3)]
[Flatten, Dense(4)]
public partial class GpuFlattenNet;

/// <summary>One logit and a trailing sigmoid: binary cross-entropy.</summary>
[Network, Input(5)]
[Dense(4), Tanh]
[Dense(1), Sigmoid]
public partial class GpuBinaryNet;

/// <summary>Regression outputs for mean squared error.</summary>
[Network, Input(5)]
[Dense(4), ReLU]
[Dense(3)]
public partial class GpuRegressionNet;

/// <summary>LeNet-5 as the sample trains it.</summary>
[Network, Input(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool2D(2)]
[Conv2D(16, 5), ReLU, MaxPool2D(2)]
[Dense(120), ReLU]
[Dense(84), ReLU]
[Dense(10)]
public partial class GpuLeNet5;

/// <summary>Stride with large padding (2 on a 3 × 3 kernel), a stride wider than the kernel, and pooling windows with gaps between them.</summary>
[Network, Input(2, 7, 7)]
[Conv2D(3, 3, Stride = 2, Padding = 2), Tanh]
[Conv2D(2, 2, Stride = 3), MaxPool2D(1, Stride = 2)]
[Flatten, Dense(3)]
public partial class GpuStridedNet;
