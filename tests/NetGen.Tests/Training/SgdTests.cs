using System;
using Xunit;

namespace NetGen.Tests.Training;

public class SgdTests
{
    [Fact]
    public void PlainStep()
    {
        var sgd = new Sgd(0.1f);
        float[] theta = [1f, -2f];
        sgd.Step(theta, [0.5f, -1f]);
        Assert.Equal(0.95f, theta[0], 1e-7f);
        Assert.Equal(-1.9f, theta[1], 1e-6f);
    }

    [Fact]
    public void MomentumThreeSteps_MatchHandComputedPyTorchValues()
    {
        // PyTorch SGD: v1 = g1; v(t) = 0.9·v(t−1) + g(t); θ −= 0.1·v.
        // θ[0]: v = 0.5, θ = 0.95; v = 0.95, θ = 0.855; v = 1.355, θ = 0.7195.
        // θ[1]: v = 1.0, θ = −2.1; v = −0.1, θ = −2.09; v = 0.16, θ = −2.106.
        var sgd = new Sgd(0.1f, momentum: 0.9f);
        float[] theta = [1f, -2f];

        sgd.Step(theta, [0.5f, 1f]);
        Assert.Equal(0.95f, theta[0], 1e-6f);
        Assert.Equal(-2.1f, theta[1], 1e-6f);

        sgd.Step(theta, [0.5f, -1f]);
        Assert.Equal(0.855f, theta[0], 1e-6f);
        Assert.Equal(-2.09f, theta[1], 1e-6f);

        sgd.Step(theta, [0.5f, 0.25f]);
        Assert.Equal(0.7195f, theta[0], 1e-6f);
        Assert.Equal(-2.106f, theta[1], 1e-6f);
    }

    [Fact]
    public void WeightDecayWithoutMomentum_MatchesHandComputedValues()
    {
        // g' = g + 0.1·θ: θ = 2 − 0.1·(0.5 + 0.2) = 1.93; θ = 1.93 − 0.1·(0.5 + 0.193) = 1.8607.
        var sgd = new Sgd(0.1f, weightDecay: 0.1f);
        float[] theta = [2f];
        sgd.Step(theta, [0.5f]);
        Assert.Equal(1.93f, theta[0], 1e-6f);
        sgd.Step(theta, [0.5f]);
        Assert.Equal(1.8607f, theta[0], 1e-6f);
    }

    [Fact]
    public void WeightDecayWithMomentum_MatchesHandComputedValues()
    {
        // lr 0.1, μ 0.9, wd 0.5, θ0 = 1, g = 1 every step:
        // g' = 1.5,     v = 1.5,                  θ = 0.85
        // g' = 1.425,   v = 1.35 + 1.425 = 2.775, θ = 0.5725
        // g' = 1.28625, v = 2.4975 + 1.28625 = 3.78375, θ = 0.194125
        var sgd = new Sgd(0.1f, momentum: 0.9f, weightDecay: 0.5f);
        float[] theta = [1f];
        sgd.Step(theta, [1f]);
        Assert.Equal(0.85f, theta[0], 1e-6f);
        sgd.Step(theta, [1f]);
        Assert.Equal(0.5725f, theta[0], 1e-6f);
        sgd.Step(theta, [1f]);
        Assert.Equal(0.194125f, theta[0], 1e-6f);
    }

    [Fact]
    public void NesterovThreeSteps_MatchHandComputedPyTorchValues()
    {
        // PyTorch SGD(nesterov=True): v1 = g1, v(t) = 0.9·v(t−1) + g(t); d = g + 0.9·v; θ −= 0.1·d.
        // θ[0], g = 0.5 each step:
        //   v = 0.5,   d = 0.5 + 0.45   = 0.95,   θ = 1 − 0.095        = 0.905
        //   v = 0.95,  d = 0.5 + 0.855  = 1.355,  θ = 0.905 − 0.1355   = 0.7695
        //   v = 1.355, d = 0.5 + 1.2195 = 1.7195, θ = 0.7695 − 0.17195 = 0.59755
        // θ[1], g = 1, −1, 0.25:
        //   v = 1,     d = 1 + 0.9      = 1.9,    θ = −2 − 0.19        = −2.19
        //   v = −0.1,  d = −1 − 0.09    = −1.09,  θ = −2.19 + 0.109    = −2.081
        //   v = 0.16,  d = 0.25 + 0.144 = 0.394,  θ = −2.081 − 0.0394  = −2.1204
        // (Classical momentum gives 0.95, 0.855, 0.7195 for θ[0]: see MomentumThreeSteps_MatchHandComputedPyTorchValues.)
        var sgd = new Sgd(0.1f, momentum: 0.9f, nesterov: true);
        float[] theta = [1f, -2f];

        sgd.Step(theta, [0.5f, 1f]);
        Assert.Equal(0.905f, theta[0], 1e-6f);
        Assert.Equal(-2.19f, theta[1], 1e-6f);

        sgd.Step(theta, [0.5f, -1f]);
        Assert.Equal(0.7695f, theta[0], 1e-6f);
        Assert.Equal(-2.081f, theta[1], 1e-6f);

        sgd.Step(theta, [0.5f, 0.25f]);
        Assert.Equal(0.59755f, theta[0], 1e-6f);
        Assert.Equal(-2.1204f, theta[1], 1e-6f);
        Assert.Equal(3, sgd.StepCount);
    }

    [Fact]
    public void NesterovWithWeightDecay_MatchesHandComputedValues()
    {
        // lr 0.1, μ 0.5, wd 0.5, θ0 = 1, g = 1 every step:
        // g' = 1 + 0.5·1 = 1.5,     v = 1.5,                   d = 1.5 + 0.75 = 2.25,          θ = 1 − 0.225 = 0.775
        // g' = 1 + 0.5·0.775 = 1.3875, v = 0.75 + 1.3875 = 2.1375, d = 1.3875 + 1.06875 = 2.45625, θ = 0.775 − 0.245625 = 0.529375
        var sgd = new Sgd(0.1f, momentum: 0.5f, weightDecay: 0.5f, nesterov: true);
        float[] theta = [1f];
        sgd.Step(theta, [1f]);
        Assert.Equal(0.775f, theta[0], 1e-6f);
        sgd.Step(theta, [1f]);
        Assert.Equal(0.529375f, theta[0], 1e-6f);
    }

    [Fact]
    public void NesterovWithoutMomentum_IsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Sgd(0.1f, nesterov: true));
        Assert.Equal("nesterov", ex.ParamName);
        Assert.Contains("momentum", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0f, 0f)]
    [InlineData(0.9f, 0f)]
    [InlineData(0f, 0.01f)]
    [InlineData(0.8f, 0.05f)]
    public void LongBuffers_MatchTheFormulaInEveryLane(float momentum, float weightDecay) => LongBuffers(momentum, weightDecay, nesterov: false);

    [Theory]
    [InlineData(0.9f, 0f)]
    [InlineData(0.8f, 0.05f)]
    public void LongBuffers_MatchTheNesterovFormulaInEveryLane(float momentum, float weightDecay) => LongBuffers(momentum, weightDecay, nesterov: true);

    private static void LongBuffers(float momentum, float weightDecay, bool nesterov)
    {
        // 37 elements: several vector widths plus a scalar tail.
        const int n = 37;
        const float lr = 0.05f;
        var rng = new Rng(3);
        float[] theta = new float[n];
        double[] expected = new double[n];
        double[] velocity = new double[n];
        for (int i = 0; i < n; i++)
        {
            theta[i] = rng.NextGaussian();
            expected[i] = theta[i];
        }

        var sgd = new Sgd(lr, momentum, weightDecay, nesterov);
        for (int step = 0; step < 3; step++)
        {
            float[] g = new float[n];
            for (int i = 0; i < n; i++)
            {
                g[i] = rng.NextGaussian();
                double gi = g[i] + (weightDecay * expected[i]);
                velocity[i] = momentum == 0f ? gi : step == 0 ? gi : (momentum * velocity[i]) + gi;
                expected[i] -= lr * (nesterov ? gi + (momentum * velocity[i]) : velocity[i]);
            }

            sgd.Step(theta, g);
        }

        for (int i = 0; i < n; i++)
        {
            Assert.Equal(expected[i], theta[i], 1e-5);
        }
    }

    [Fact]
    public void LearningRateChangesTakeEffect()
    {
        var sgd = new Sgd(0.1f);
        float[] theta = [1f];
        sgd.LearningRate = 0.5f;
        sgd.Step(theta, [1f]);
        Assert.Equal(0.5f, theta[0]);
        Assert.Equal(0.5f, sgd.LearningRate);
    }

    [Fact]
    public void GradientsOfTheWrongLengthAreRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Sgd(0.1f).Step(new float[3], new float[2]));
        Assert.Equal("gradients", ex.ParamName);
    }

    [Fact]
    public void AnotherParameterBufferIsRejectedOnceMomentumExists()
    {
        var sgd = new Sgd(0.1f, momentum: 0.9f);
        sgd.Step(new float[3], new float[3]);
        var ex = Assert.Throws<ArgumentException>(() => sgd.Step(new float[4], new float[4]));
        Assert.Equal("parameters", ex.ParamName);
    }

    [Fact]
    public void InvalidSettingsAreRejected()
    {
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(-0.1f)).ParamName);
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(float.NaN)).ParamName);
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f, momentum: 1f)).ParamName);
        Assert.Equal("momentum", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f, momentum: -0.5f)).ParamName);
        Assert.Equal("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f, weightDecay: -1f)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(0.1f).LearningRate = float.PositiveInfinity).ParamName);
    }
}
