using NetGen;

namespace NetGen.Tests.Kernels;

// Pooling networks for the kernel tests. A 1×1 convolution below the pool gives it an input gradient to
// compute; the ReLU before max pools makes ties (windows of zeros) common, so "first maximum" matters.
// Widths 28 and 10 are LeNet-5's (14 and 5 outputs per row), 9 leaves a column and a row in no window,
// 5 leaves rows of 2 outputs (too narrow: scalar kernel), 20 and 32 give the Vector512 path chunks of 8;
// 3×3 windows with stride 2 overlap (general path).

/// <summary>2×2 max pool on 28×28, as LeNet-5's first pool.</summary>
[Network, Input(2, 28, 28)]
[Conv2D(3, 1), ReLU, MaxPool2D(2)]
[Flatten, Dense(4)]
public partial class PoolMaxW28;

/// <summary>2×2 max pool on 16×10×10, as LeNet-5's second pool.</summary>
[Network, Input(3, 10, 10)]
[Conv2D(16, 1), ReLU, MaxPool2D(2)]
[Dense(5)]
public partial class PoolMaxW10;

/// <summary>2×2 max pool on 9×9: the last row and column are in no window.</summary>
[Network, Input(2, 9, 9)]
[Conv2D(3, 1), ReLU, MaxPool2D(2)]
[Dense(3)]
public partial class PoolMaxW9;

/// <summary>2×2 max pool on 5×5: 2 outputs per row, the scalar kernel.</summary>
[Network, Input(2, 5, 5)]
[Conv2D(3, 1), ReLU, MaxPool2D(2)]
[Dense(3)]
public partial class PoolMaxW5;

/// <summary>2×2 max pool on 7×20: odd height, 10 outputs per row.</summary>
[Network, Input(2, 7, 20)]
[Conv2D(3, 1), ReLU, MaxPool2D(2)]
[Dense(3)]
public partial class PoolMaxH7W20;

/// <summary>2×2 max pool on 6×32: 16 outputs per row, two full chunks of 8 on Vector512.</summary>
[Network, Input(2, 6, 32)]
[Conv2D(2, 1), ReLU, MaxPool2D(2)]
[Dense(3)]
public partial class PoolMaxW32;

/// <summary>Overlapping 3×3 windows, stride 2, on 11×11 (general path).</summary>
[Network, Input(2, 11, 11)]
[Conv2D(3, 1), ReLU, MaxPool2D(3, Stride = 2)]
[Dense(3)]
public partial class PoolMaxOverlap;

/// <summary>2×2 average pool on 28×28.</summary>
[Network, Input(2, 28, 28)]
[Conv2D(3, 1), AvgPool2D(2)]
[Dense(4)]
public partial class PoolAvgW28;

/// <summary>2×2 average pool on 10×10.</summary>
[Network, Input(3, 10, 10)]
[Conv2D(4, 1), AvgPool2D(2)]
[Dense(5)]
public partial class PoolAvgW10;

/// <summary>2×2 average pool on 9×11: a row and a column are in no window.</summary>
[Network, Input(2, 9, 11)]
[Conv2D(3, 1), AvgPool2D(2)]
[Dense(3)]
public partial class PoolAvgH9W11;

/// <summary>2×2 average pool on 7×20.</summary>
[Network, Input(2, 7, 20)]
[Conv2D(3, 1), AvgPool2D(2)]
[Dense(3)]
public partial class PoolAvgH7W20;

/// <summary>Overlapping 3×3 average windows, stride 2 (general path).</summary>
[Network, Input(2, 11, 11)]
[Conv2D(3, 1), AvgPool2D(3, Stride = 2)]
[Dense(3)]
public partial class PoolAvgOverlap;

/// <summary>A max pool as the first layer: its vector kernel reads the caller's input span.</summary>
[Network, Input(3, 28, 28)]
[MaxPool2D(2)]
[Flatten, Dense(3)]
public partial class PoolMaxFirst;

/// <summary>An average pool as the first layer, 9 wide.</summary>
[Network, Input(3, 9, 9)]
[AvgPool2D(2)]
[Dense(3)]
public partial class PoolAvgFirst;

/// <summary>2×2 max pool on 28×28 without a ReLU before it, for inputs full of ties.</summary>
[Network, Input(2, 28, 28)]
[Conv2D(3, 1), MaxPool2D(2)]
[Flatten, Dense(4)]
public partial class PoolMaxTiesW28;

/// <summary>2×2 max pool on 10×10, for ties.</summary>
[Network, Input(2, 10, 10)]
[Conv2D(3, 1), MaxPool2D(2)]
[Dense(4)]
public partial class PoolMaxTiesW10;

/// <summary>2×2 max pool on 9×9, for ties.</summary>
[Network, Input(2, 9, 9)]
[Conv2D(3, 1), MaxPool2D(2)]
[Dense(4)]
public partial class PoolMaxTiesW9;

/// <summary>2×2 max pool on 7×20, for ties.</summary>
[Network, Input(2, 7, 20)]
[Conv2D(3, 1), MaxPool2D(2)]
[Dense(4)]
public partial class PoolMaxTiesH7W20;
