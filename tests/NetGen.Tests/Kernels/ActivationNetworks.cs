using NetGen;

namespace NetGen.Tests.Kernels;

// Activations that no Dense applies in registers: after a pool, after a dropout, after another activation,
// or first. Sizes 5 (fewer than 8), 8, 9, 17, 100 and 1176 leave every kind of tail on both vector widths.

/// <summary>Sigmoid after a max pool, 4×5×5 = 100 values.</summary>
[Network, Input(3, 10, 10)]
[Conv2D(4, 1), MaxPool2D(2), Sigmoid]
[Dense(3)]
public partial class ActivationSigmoidAfterPool;

/// <summary>Tanh after a max pool, 6×14×14 = 1176 values.</summary>
[Network, Input(1, 28, 28)]
[Conv2D(6, 1), MaxPool2D(2), Tanh]
[Dense(3)]
public partial class ActivationTanhAfterPool;

/// <summary>ReLU after an average pool, 2×4×4 = 32 values... of 3 channels: 48.</summary>
[Network, Input(2, 9, 9)]
[Conv2D(3, 1), AvgPool2D(2), ReLU]
[Dense(3)]
public partial class ActivationReluAfterPool;

/// <summary>ReLU, sigmoid and tanh after dropouts, on 17, 9 and 5 values.</summary>
[Network, Input(6)]
[Dense(17), Dropout(0.2f), ReLU]
[Dense(9), Dropout(0.1f), Sigmoid]
[Dense(5), Dropout(0.1f), Tanh]
[Dense(3)]
public partial class ActivationAfterDropout;

/// <summary>Tanh on 8 values (one full vector on Vector256, less than one on Vector512).</summary>
[Network, Input(6)]
[Dense(8), ReLU, Tanh]
[Dense(2)]
public partial class ActivationTanhOn8;

/// <summary>Activations as the first layers: they read the caller's input span.</summary>
[Network, Input(37)]
[Sigmoid, Tanh, ReLU]
[Dense(3)]
public partial class ActivationFirst;

/// <summary>Tanh with inputs far from zero (large weights): the saturated branch.</summary>
[Network, Input(40)]
[Dense(40), Sigmoid, Tanh]
[Dense(3)]
public partial class ActivationTanhWide;
