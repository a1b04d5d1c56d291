using NetGen;

namespace NetGen.Benchmarks.Micro;

// One network per layer kind with LeNet-5's shapes, so each micro-benchmark times one layer kind's forward
// or backward kernel. Layers without parameters sit behind a 1×1 convolution (6×6 weights, tiny next to the
// layer) so that their backward pass runs; its cost is included in their figures.

/// <summary>LeNet-5's conv1 with its fused ReLU (first layer: no input gradient).</summary>
[Network, Input(1, 28, 28), Conv2D(6, 5, Padding = 2), ReLU]
public partial class MicroConv1;

/// <summary>LeNet-5's conv2 with its fused ReLU, behind a 1×1 convolution so its input gradient is computed.</summary>
[Network, Input(6, 14, 14), Conv2D(6, 1), Conv2D(16, 5), ReLU]
public partial class MicroConv2;

/// <summary>LeNet-5's dense1 (400 → 120) with its fused ReLU (first layer: no input gradient).</summary>
[Network, Input(400), Dense(120), ReLU]
public partial class MicroDense1;

/// <summary>LeNet-5's first max pool, 6×28×28 → 6×14×14.</summary>
[Network, Input(6, 28, 28), Conv2D(6, 1), MaxPool2D(2)]
public partial class MicroMaxPool;

/// <summary>Average pooling with the same shapes.</summary>
[Network, Input(6, 28, 28), Conv2D(6, 1), AvgPool2D(2)]
public partial class MicroAvgPool;

/// <summary>An unfused ReLU over 6×28×28 (a 1×1 pool in between keeps the convolution from fusing it).</summary>
[Network, Input(6, 28, 28), Conv2D(6, 1), MaxPool2D(1), ReLU]
public partial class MicroReLU;

/// <summary>An unfused sigmoid over 6×28×28.</summary>
[Network, Input(6, 28, 28), Conv2D(6, 1), MaxPool2D(1), Sigmoid]
public partial class MicroSigmoid;

/// <summary>An unfused tanh over 6×28×28.</summary>
[Network, Input(6, 28, 28), Conv2D(6, 1), MaxPool2D(1), Tanh]
public partial class MicroTanh;

/// <summary>Dropout over 6×28×28 (training mode).</summary>
[Network, Input(6, 28, 28), Conv2D(6, 1), Dropout(0.5f)]
public partial class MicroDropout;

/// <summary>Softmax over 10 values in the middle of a network (so it is not fused into the loss).</summary>
[Network, Input(84), Dense(10), Softmax, Dense(10)]
public partial class MicroSoftmax;
