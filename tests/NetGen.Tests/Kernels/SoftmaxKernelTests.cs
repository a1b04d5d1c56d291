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
/// Softmax's vector kernels (a full vector and a masked last one: 10, 33 and 17 values; 7 values run the scalar
/// loops) against the scalar oracle, forward and backward, in the middle and fused into the loss at the end.
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
