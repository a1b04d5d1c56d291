using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>Dense's Vector256 / Vector512 kernels (register tiles, tails, fused activations) agree with the scalar path.</summary>
public class DenseKernelTests
{
    public static TheoryData<string> Networks => new()
    {
        nameof(DenseIn1Out3Relu), nameof(DenseIn7Out4Sigmoid), nameof(DenseIn8Out5Tanh), nameof(DenseIn9Out1),
        nameof(DenseIn16Out10Relu), nameof(DenseIn17Out120Sigmoid), nameof(DenseIn33Out3Tanh), nameof(DenseIn400Out120Relu),
        nameof(DenseDx1To5Relu), nameof(DenseDx7To10Tanh), nameof(DenseDx8To3Sigmoid), nameof(DenseDx9To4Tanh),
        nameof(DenseDx16To120Relu), nameof(DenseDx17To5), nameof(DenseDx33To1Sigmoid), nameof(DenseDx400To10Relu),
        nameof(DenseLeNetHead), nameof(DenseThenTwoActivations),
    };

    internal static INetwork Create(string name) => name switch
    {
        nameof(DenseIn1Out3Relu) => new DenseIn1Out3Relu(seed: 1),
        nameof(DenseIn7Out4Sigmoid) => new DenseIn7Out4Sigmoid(seed: 2),
        nameof(DenseIn8Out5Tanh) => new DenseIn8Out5Tanh(seed: 3),
        nameof(DenseIn9Out1) => new DenseIn9Out1(seed: 4),
        nameof(DenseIn16Out10Relu) => new DenseIn16Out10Relu(seed: 5),
        nameof(DenseIn17Out120Sigmoid) => new DenseIn17Out120Sigmoid(seed: 6),
        nameof(DenseIn33Out3Tanh) => new DenseIn33Out3Tanh(seed: 7),
        nameof(DenseIn400Out120Relu) => new DenseIn400Out120Relu(seed: 8),
        nameof(DenseDx1To5Relu) => new DenseDx1To5Relu(seed: 9),
        nameof(DenseDx7To10Tanh) => new DenseDx7To10Tanh(seed: 10),
        nameof(DenseDx8To3Sigmoid) => new DenseDx8To3Sigmoid(seed: 11),
        nameof(DenseDx9To4Tanh) => new DenseDx9To4Tanh(seed: 12),
        nameof(DenseDx16To120Relu) => new DenseDx16To120Relu(seed: 13),
        nameof(DenseDx17To5) => new DenseDx17To5(seed: 14),
        nameof(DenseDx33To1Sigmoid) => new DenseDx33To1Sigmoid(seed: 15),
        nameof(DenseDx400To10Relu) => new DenseDx400To10Relu(seed: 16),
        nameof(DenseLeNetHead) => new DenseLeNetHead(seed: 17),
        nameof(DenseThenTwoActivations) => new DenseThenTwoActivations(seed: 18),
        _ => throw new System.ArgumentOutOfRangeException(nameof(name), name, "unknown test network"),
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void VectorPathsAgreeWithScalar(string network) => FencedOracle.AssertPathsAgree(Create(network), seed: 21);

    [Theory]
    [MemberData(nameof(Networks))]
    public void VectorPathsAgreeWithScalar_OtherInputs(string network) => FencedOracle.AssertPathsAgree(Create(network), seed: 22, training: false);
}
