using NetGen;

// Small networks for the finite-difference gradient checks in GradientTests: one or more per layer kind,
// small enough that every parameter (or, for the ones sized for the vector kernels and LeNet-5, every bias and
// a sample of each weight tensor) is checked by central differences in milliseconds. Layers that need an input
// gradient (dx) sit above another parameter layer, so a wrong dx shows up as wrong gradients of the parameters
// below it. Shapes in the comments are [C, H, W] or [N].

namespace NetGen.Tests.Gradients;

/// <summary>Dense alone: [5] → [3]; the logits are the Dense output.</summary>
[Network, Input(5)]
[Dense(3)]
public partial class DenseOnlyNet;

/// <summary>Dense → ReLU → Dense: checks ReLU backward and the dx of the upper Dense.</summary>
[Network, Input(5)]
[Dense(7), ReLU]
[Dense(3)]
public partial class DenseReluNet;

/// <summary>Dense → Sigmoid → Dense.</summary>
[Network, Input(5)]
[Dense(6), Sigmoid]
[Dense(3)]
public partial class SigmoidNet;

/// <summary>Dense → Tanh → Dense.</summary>
[Network, Input(5)]
[Dense(6), Tanh]
[Dense(3)]
public partial class TanhNet;

/// <summary>A softmax in the middle of the stack (not fused into the loss): its own backward runs.</summary>
[Network, Input(6)]
[Dense(4), Softmax]
[Dense(3)]
public partial class SoftmaxMiddleNet;

/// <summary>A trailing softmax, fused into the loss: backward starts from the logits below it.</summary>
[Network, Input(5)]
[Dense(6), Tanh]
[Dense(4), Softmax]
public partial class SoftmaxLastNet;

/// <summary>A convolution as the only layer: [2, 6, 6] → [3, 4, 4], whose 48 values are the logits.</summary>
[Network, Input(2, 6, 6)]
[Conv2D(3, 3)]
public partial class ConvOnlyNet;

/// <summary>Two stacked convolutions, then Dense: checks the convolution's dx. [2,6,6] → [3,4,4] → [2,2,2] → [3].</summary>
[Network, Input(2, 6, 6)]
[Conv2D(3, 3), Tanh]
[Conv2D(2, 3)]
[Dense(3)]
public partial class ConvStackNet;

/// <summary>
/// Stride 2 and padding 1: [1,7,7] → [2,4,4] (exact fit) → [3,2,2], the second leaving a remainder
/// ((4 + 2 − 3) / 2 = 1 rem 1: its last padded row and column are in no window), so its dx skips padded taps.
/// </summary>
[Network, Input(1, 7, 7)]
[Conv2D(2, 3, Stride = 2, Padding = 1), Tanh]
[Conv2D(3, 3, Stride = 2, Padding = 1)]
[Dense(3)]
public partial class ConvStridePadNet;

/// <summary>Kernel 4, stride 3, padding 2 on an odd size: [1,9,9] → [2,7,7] → [2,3,3] ((7 + 4 − 4) / 3 = 2 rem 1).</summary>
[Network, Input(1, 9, 9)]
[Conv2D(2, 3), Tanh]
[Conv2D(2, 4, Stride = 3, Padding = 2)]
[Dense(3)]
public partial class ConvOddStrideNet;

/// <summary>Max pooling with stride = size: [1,8,8] → conv [2,6,6] → pool [2,3,3] → [3].</summary>
[Network, Input(1, 8, 8)]
[Conv2D(2, 3), MaxPool2D(2)]
[Dense(3)]
public partial class MaxPoolNet;

/// <summary>Overlapping max-pool windows (size 3, stride 2) with a remainder: [1,10,10] → [2,8,8] → [2,3,3] → [3].</summary>
[Network, Input(1, 10, 10)]
[Conv2D(2, 3), MaxPool2D(3, Stride = 2)]
[Dense(3)]
public partial class MaxPoolOverlapNet;

/// <summary>Average pooling with stride = size: [1,8,8] → [2,6,6] → [2,3,3] → [3].</summary>
[Network, Input(1, 8, 8)]
[Conv2D(2, 3), AvgPool2D(2)]
[Dense(3)]
public partial class AvgPoolNet;

/// <summary>Overlapping average-pool windows with a remainder: [1,10,10] → [2,8,8] → [2,3,3] → [3].</summary>
[Network, Input(1, 10, 10)]
[Conv2D(2, 3), AvgPool2D(3, Stride = 2)]
[Dense(3)]
public partial class AvgPoolOverlapNet;

/// <summary>Gapped pooling windows (size 2, stride 3): some inputs belong to no window and get no gradient.</summary>
[Network, Input(1, 9, 9)]
[Conv2D(2, 2), MaxPool2D(2, Stride = 3)]
[Conv2D(2, 2)]
[Dense(3)]
public partial class PoolGapNet;

/// <summary>An explicit Flatten between a convolution and a Dense (an alias of the conv output).</summary>
[Network, Input(2, 5, 5)]
[Conv2D(2, 3), Tanh, Flatten]
[Dense(3)]
public partial class FlattenNet;

/// <summary>A Flatten as the first layer (it copies the input into the workspace).</summary>
[Network, Input(2, 3, 3)]
[Flatten, Dense(4), Tanh]
[Dense(3)]
public partial class FlattenFirstNet;

/// <summary>Dropout between two Dense layers, checked in training mode with a fixed dropout seed (21 values: vectors and a tail).</summary>
[Network, Input(6)]
[Dense(21), Tanh, Dropout(0.4f)]
[Dense(3)]
public partial class DropoutNet;

/// <summary>Dropout on the input itself, below the first parameter layer.</summary>
[Network, Input(8)]
[Dropout(0.5f), Dense(3)]
public partial class DropoutFirstNet;

/// <summary>Dropout alone, for the evaluation-mode and mask-statistics checks.</summary>
[Network, Input(4000)]
[Dropout(0.3f)]
public partial class DropoutOnlyNet;

// ---- Networks sized for the vector kernels: at least 8 inputs per Dense, rows and columns that leave tails,
// ---- activations fused into the layer before and activations that are not, pooling rows of 4 or more outputs.

/// <summary>
/// Dense layers with every fused activation: 37 → 19 (two 8-row tiles and 3 rows left; 37 inputs are whole
/// vectors and a 5-input tail on both vector widths) → 23 → 10 → 3.
/// </summary>
[Network, Input(37)]
[Dense(19), ReLU]
[Dense(23), Sigmoid]
[Dense(10), Tanh]
[Dense(3)]
public partial class DenseVectorNet;

/// <summary>A wide Dense: 150 inputs are several full blocks of input columns on both vector widths, plus a tail.</summary>
[Network, Input(150)]
[Dense(9), Tanh]
[Dense(3)]
public partial class DenseWideNet;

/// <summary>
/// Activations that no layer before them can fuse (after pooling and after Flatten) run their own vector kernels:
/// [1,10,12] → conv [3,8,10] → avgpool [3,4,5] → Tanh → Flatten → Sigmoid (60) → Dense(20) → ReLU → Dense(3).
/// </summary>
[Network, Input(1, 10, 12)]
[Conv2D(3, 3), AvgPool2D(2), Tanh, Flatten, Sigmoid]
[Dense(20), ReLU]
[Dense(3)]
public partial class UnfusedActivationNet;

/// <summary>A ReLU after Flatten (not fused): [2,8,8] → conv [2,6,6] → Flatten → ReLU (72 values) → Dense(3).</summary>
[Network, Input(2, 8, 8)]
[Conv2D(2, 3), Flatten, ReLU]
[Dense(3)]
public partial class UnfusedReluNet;

/// <summary>
/// Stride-1 convolutions for the tiled vector kernels, on a non-square input: [2,11,13] → conv 3×3 pad 1 + ReLU
/// [3,11,13] → conv 3×3 + Tanh [4,9,11] → conv 1×1 [3,9,11] → max pool 2×2 [3,4,5] (the last row and column of
/// the input are in no window) → Dense(3).
/// </summary>
[Network, Input(2, 11, 13)]
[Conv2D(3, 3, Padding = 1), ReLU]
[Conv2D(4, 3), Tanh]
[Conv2D(3, 1), MaxPool2D(2)]
[Dense(3)]
public partial class ConvVectorNet;

/// <summary>Padding equal to K − 1 (2 on a 3×3 kernel) and a 5×5 kernel: [1,9,9] → [2,11,11] → [3,7,7] → Dense(3).</summary>
[Network, Input(1, 9, 9)]
[Conv2D(2, 3, Padding = 2), Sigmoid]
[Conv2D(3, 5)]
[Dense(3)]
public partial class ConvPaddingNet;

/// <summary>Padding larger than K − 1 (3 on a 3×3 kernel): the vector backward falls back to the scalar loops. [1,5,5] → [2,9,9] → [2,7,7] → Dense(3).</summary>
[Network, Input(1, 5, 5)]
[Conv2D(2, 3, Padding = 3), Tanh]
[Conv2D(2, 3)]
[Dense(3)]
public partial class ConvWidePaddingNet;

/// <summary>Max pooling rows of 9 outputs (a chunk of 8 and an overlapping one on Vector512): [1,18,20] → [2,16,18] → [2,8,9] → conv [2,6,7] → Dense(3).</summary>
[Network, Input(1, 18, 20)]
[Conv2D(2, 3), MaxPool2D(2)]
[Conv2D(2, 3)]
[Dense(3)]
public partial class MaxPoolVectorNet;

/// <summary>Average pooling rows of 9 outputs over an odd-sized input: [1,19,21] → [2,17,19] → [2,8,9] → conv [2,6,7] → Dense(3).</summary>
[Network, Input(1, 19, 21)]
[Conv2D(2, 3), AvgPool2D(2)]
[Conv2D(2, 3)]
[Dense(3)]
public partial class AvgPoolVectorNet;

/// <summary>LeNet-5, the same declaration as samples/LeNet/LeNet5.cs.</summary>
[Network, Input(1, 28, 28)]
[Conv2D(6, 5, Padding = 2), ReLU, MaxPool2D(2)]
[Conv2D(16, 5), ReLU, MaxPool2D(2)]
[Dense(120), ReLU]
[Dense(84), ReLU]
[Dense(10)]
public partial class LeNet5ForGradients;
