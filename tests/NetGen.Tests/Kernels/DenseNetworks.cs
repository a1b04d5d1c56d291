using NetGen;

namespace NetGen.Tests.Kernels;

// Dense networks for the kernel tests. Input sizes 1, 7 (fewer than 8: one value at a time), 8, 9, 16, 17,
// 33 and 400 leave every kind of input tail on both vector widths; output sizes 1, 3, 4, 5, 10 and 120
// leave every kind of row tile. "DenseIn…" put the Dense first (no dx; its fused activation, where there
// is one, is the logits layer, so dy is the caller's logits gradient); "DenseDx…" put it above another
// Dense, whose gradients then depend on the tested layer's dx.

/// <summary>1 → 3, fused ReLU.</summary>
[Network, Input(1)]
[Dense(3), ReLU]
public partial class DenseIn1Out3Relu;

/// <summary>7 → 4, fused sigmoid.</summary>
[Network, Input(7)]
[Dense(4), Sigmoid]
public partial class DenseIn7Out4Sigmoid;

/// <summary>8 → 5, fused tanh.</summary>
[Network, Input(8)]
[Dense(5), Tanh]
public partial class DenseIn8Out5Tanh;

/// <summary>9 → 1, no activation.</summary>
[Network, Input(9)]
[Dense(1)]
public partial class DenseIn9Out1;

/// <summary>16 → 10, fused ReLU.</summary>
[Network, Input(16)]
[Dense(10), ReLU]
public partial class DenseIn16Out10Relu;

/// <summary>17 → 120, fused sigmoid.</summary>
[Network, Input(17)]
[Dense(120), Sigmoid]
public partial class DenseIn17Out120Sigmoid;

/// <summary>33 → 3, fused tanh.</summary>
[Network, Input(33)]
[Dense(3), Tanh]
public partial class DenseIn33Out3Tanh;

/// <summary>400 → 120, fused ReLU: LeNet-5's first Dense, first here.</summary>
[Network, Input(400)]
[Dense(120), ReLU]
public partial class DenseIn400Out120Relu;

/// <summary>Tested layer 1 → 5 with ReLU, dx checked through the Dense below.</summary>
[Network, Input(5)]
[Dense(1)]
[Dense(5), ReLU]
[Dense(3)]
public partial class DenseDx1To5Relu;

/// <summary>Tested layer 7 → 10 with tanh.</summary>
[Network, Input(5)]
[Dense(7), Sigmoid]
[Dense(10), Tanh]
[Dense(4)]
public partial class DenseDx7To10Tanh;

/// <summary>Tested layer 8 → 3 with sigmoid, the logits layer.</summary>
[Network, Input(5)]
[Dense(8)]
[Dense(3), Sigmoid]
public partial class DenseDx8To3Sigmoid;

/// <summary>Tested layer 9 → 4 with tanh.</summary>
[Network, Input(5)]
[Dense(9), ReLU]
[Dense(4), Tanh]
[Dense(2)]
public partial class DenseDx9To4Tanh;

/// <summary>Tested layer 16 → 120 with ReLU.</summary>
[Network, Input(5)]
[Dense(16)]
[Dense(120), ReLU]
[Dense(10)]
public partial class DenseDx16To120Relu;

/// <summary>Tested layer 17 → 5 without activation, the logits layer.</summary>
[Network, Input(5)]
[Dense(17), Tanh]
[Dense(5)]
public partial class DenseDx17To5;

/// <summary>Tested layer 33 → 1 with sigmoid.</summary>
[Network, Input(5)]
[Dense(33)]
[Dense(1), Sigmoid]
[Dense(3)]
public partial class DenseDx33To1Sigmoid;

/// <summary>Tested layer 400 → 10 with ReLU, then 10 → 4 with tanh.</summary>
[Network, Input(3)]
[Dense(400), ReLU]
[Dense(10), ReLU]
[Dense(4), Tanh]
[Dense(3)]
public partial class DenseDx400To10Relu;

/// <summary>LeNet-5's Dense head on a flattened [16, 5, 5] input, with a trailing softmax.</summary>
[Network, Input(16, 5, 5)]
[Flatten, Dense(120), ReLU]
[Dense(84), ReLU]
[Dense(10), Softmax]
public partial class DenseLeNetHead;

/// <summary>Two activations in a row: only the first is fused; the second runs its own kernel.</summary>
[Network, Input(20)]
[Dense(9), ReLU, Tanh]
[Dense(33), Sigmoid, ReLU]
[Dense(3)]
public partial class DenseThenTwoActivations;
