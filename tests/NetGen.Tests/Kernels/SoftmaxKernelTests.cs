using NetGen;
using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>A softmax between two Dense layers (its own backward runs), on 10 values.</summary>
[Network, Input(12)]
[Dense(10), Softmax]
[Dense(3)]
public partial class SoftmaxMiddle10;

/// <summary>A softmax in the middle on 33 values, after a fused tanh.</summary>
[Network, Input(9)]
[Dense(33), Tanh, Softmax]
[Dense(17), Softmax]
public partial class SoftmaxMiddle33AndLast;

/// <summary>A trailing softmax (fused into the loss) on 7 values.</summary>
[Network, Input(20)]
[Dense(7), Softmax]
public partial class SoftmaxLast7;

/// <summary>
/// Softmax keeps its scalar kernel on every path (10-odd values: the exp dominates and a vector version would
/// not pay for its code); these check that the vector paths around it still agree.
/// </summary>
public class SoftmaxKernelTests
{
    [Fact]
    public void InTheMiddle() => FencedOracle.AssertPathsAgree(new SoftmaxMiddle10(seed: 1), seed: 51);

    [Fact]
    public void InTheMiddleAndAtTheEnd() => FencedOracle.AssertPathsAgree(new SoftmaxMiddle33AndLast(seed: 2), seed: 52);

    [Fact]
    public void AtTheEnd() => FencedOracle.AssertPathsAgree(new SoftmaxLast7(seed: 3), seed: 53);
}
