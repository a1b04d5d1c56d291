using Xunit;

namespace NetGen.Tests.Kernels;

/// <summary>The Vector256 and Vector512 kernels agree with the scalar reference on whole networks.</summary>
public class PathAgreementTests
{
    [Fact]
    public void LeNet5_AllPathsAgree() => PathOracle.AssertPathsAgree(new PathLeNet5(seed: 3));

    [Fact]
    public void Mlp_AllPathsAgree_InTrainingWithDropout() => PathOracle.AssertPathsAgree(new PathMlp(seed: 4), training: true);

    [Fact]
    public void Mlp_AllPathsAgree_InEvaluation() => PathOracle.AssertPathsAgree(new PathMlp(seed: 4), training: false);

    [Fact]
    public void StrideTwoPaddingOne_AllPathsAgree() => PathOracle.AssertPathsAgree(new PathStrided(seed: 5));

    [Fact]
    public void OddSizes_AllPathsAgree() => PathOracle.AssertPathsAgree(new PathOddSizes(seed: 6));
}
