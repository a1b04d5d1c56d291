using System;
using Xunit;

namespace NetGen.Tests.Training;

public class AdamTests
{
    [Fact]
    public void ThreeSteps_MatchHandComputedPyTorchValues()
    {
        // torch.optim.Adam(lr=0.1), β1 = 0.9, β2 = 0.999, ε = 1e-8; bias corrections
        // bc1 = 1 − 0.9^t = 0.1, 0.19, 0.271 and bc2 = 1 − 0.999^t = 0.001, 0.001999, 0.002997001.
        // Step 1: m = 0.1·g, v = 0.001·g², so m̂ = g, √v̂ = |g| and every weight moves by −0.1·g/(|g| + 1e-8) ≈ −0.1·sign(g).
        //   θ = [1, −2, 0.5], g = [0.5, −1, 2] → θ = [0.9, −1.9, 0.4].
        // Step 2, g = [0.5, 1, −1]:
        //   θ[0]: m = 0.045 + 0.05 = 0.095, v = 0.00024975 + 0.00025 = 0.00049975;
        //         m̂ = 0.095/0.19 = 0.5, v̂ = 0.00049975/0.001999 = 0.25 → θ = 0.9 − 0.1·0.5/0.5 = 0.8 (a constant gradient moves lr per step).
        //   θ[1]: m = −0.09 + 0.1 = 0.01, v = 0.000999 + 0.001 = 0.001999;
        //         m̂ = 0.01/0.19 = 0.0526316, v̂ = 1 → θ = −1.9 − 0.00526316 = −1.9052632.
        //   θ[2]: m = 0.18 − 0.1 = 0.08, v = 0.003996 + 0.001 = 0.004996;
        //         m̂ = 0.4210526, v̂ = 0.004996/0.001999 = 2.4992496, √v̂ = 1.5809015 → θ = 0.4 − 0.0266337 = 0.3733663.
        // Step 3, g = [0.5, 1, 0]:
        //   θ[0]: again −0.1 → 0.7.
        //   θ[1]: m = 0.009 + 0.1 = 0.109, v = 0.001997001 + 0.001 = 0.002997001, v̂ = 1;
        //         m̂ = 0.109/0.271 = 0.4022140 → θ = −1.9052632 − 0.0402214 = −1.9454846.
        //   θ[2]: m = 0.072, v = 0.999·0.004996 = 0.004991004; m̂ = 0.072/0.271 = 0.2656827,
        //         v̂ = 0.004991004/0.002997001 = 1.6653328, √v̂ = 1.2904778 → θ = 0.3733663 − 0.0205879 = 0.3527784.
        var adam = new Adam(0.1f);
        float[] theta = [1f, -2f, 0.5f];

        adam.Step(theta, [0.5f, -1f, 2f]);
        Assert.Equal(0.9f, theta[0], 1e-6f);
        Assert.Equal(-1.9f, theta[1], 1e-6f);
        Assert.Equal(0.4f, theta[2], 1e-6f);

        adam.Step(theta, [0.5f, 1f, -1f]);
        Assert.Equal(0.8f, theta[0], 1e-6f);
        Assert.Equal(-1.9052632f, theta[1], 1e-6f);
        Assert.Equal(0.3733663f, theta[2], 1e-6f);

        adam.Step(theta, [0.5f, 1f, 0f]);
        Assert.Equal(0.7f, theta[0], 1e-6f);
        Assert.Equal(-1.9454846f, theta[1], 1e-6f);
        Assert.Equal(0.3527784f, theta[2], 1e-6f);
        Assert.Equal(3, adam.StepCount);
    }

    [Fact]
    public void FirstStep_MovesEachWeightByTheLearningRateAgainstTheGradientsSign()
    {
        // m̂ = g and √v̂ = |g| exactly in exact arithmetic, so the step is lr·g/(|g| + ε), whatever the gradient's scale.
        var adam = new Adam(0.01f);
        float[] theta = [0f, 0f, 0f, 0f];
        adam.Step(theta, [1e-3f, -50f, 7f, -0.25f]);
        Assert.Equal(-0.01 * (1e-3 / (1e-3 + 1e-8)), theta[0], 1e-8);
        Assert.Equal(0.01f, theta[1], 1e-8f);
        Assert.Equal(-0.01f, theta[2], 1e-8f);
        Assert.Equal(0.01f, theta[3], 1e-8f);
    }

    [Fact]
    public void L2WeightDecay_IsAddedToTheGradient_HandComputed()
    {
        // Adam(lr 0.1, weight_decay 0.5): g' = g + 0.5·θ. θ = [1, −2], g = [0.5, 0.5] twice.
        // Step 1: g' = [1, −0.5] → the usual first step, −0.1·sign(g'): θ = [0.9, −1.9].
        // Step 2: g' = [0.5 + 0.45, 0.5 − 0.95] = [0.95, −0.45].
        //   θ[0]: m = 0.09 + 0.095 = 0.185, v = 0.000999 + 0.0009025 = 0.0019015;
        //         m̂ = 0.185/0.19 = 0.9736842, v̂ = 0.0019015/0.001999 = 0.9512256, √v̂ = 0.9753080 → θ = 0.9 − 0.0998335 = 0.8001665.
        //   θ[1]: m = −0.045 − 0.045 = −0.09, v = 0.00024975 + 0.0002025 = 0.00045225;
        //         m̂ = −0.4736842, v̂ = 0.2262381, √v̂ = 0.4756450 → θ = −1.9 + 0.0995878 = −1.8004122.
        var adam = new Adam(0.1f, weightDecay: 0.5f);
        float[] theta = [1f, -2f];
        adam.Step(theta, [0.5f, 0.5f]);
        Assert.Equal(0.9f, theta[0], 1e-6f);
        Assert.Equal(-1.9f, theta[1], 1e-6f);
        adam.Step(theta, [0.5f, 0.5f]);
        Assert.Equal(0.8001665f, theta[0], 1e-6f);
        Assert.Equal(-1.8004122f, theta[1], 1e-6f);
    }

    [Fact]
    public void AdamW_DecaysTheWeightsDecoupled_HandComputed()
    {
        // AdamW(lr 0.1, weight_decay 0.5): θ ← θ·(1 − 0.1·0.5) = 0.95·θ, then the plain Adam step on g.
        // θ = [1, −2], g = [0.5, 0.5] twice (a constant gradient: each Adam step is −0.1):
        // Step 1: θ = [0.95 − 0.1, −1.9 − 0.1] = [0.85, −2.0].
        // Step 2: θ = [0.8075 − 0.1, −1.9 − 0.1] = [0.7075, −2.0].
        // Adam with the same weight_decay as an L2 term gives [0.9, −1.9] and [0.8001665, −1.8004122] instead
        // (L2_WeightDecay_IsAddedToTheGradient_HandComputed): there the decay is normalised away by √v.
        var adamw = new AdamW(0.1f, weightDecay: 0.5f);
        var adam = new Adam(0.1f, weightDecay: 0.5f);
        float[] theta = [1f, -2f];
        float[] l2 = [1f, -2f];

        adamw.Step(theta, [0.5f, 0.5f]);
        adam.Step(l2, [0.5f, 0.5f]);
        Assert.Equal(0.85f, theta[0], 1e-6f);
        Assert.Equal(-2f, theta[1], 1e-6f);
        Assert.True(Math.Abs(l2[0] - theta[0]) > 0.04f && Math.Abs(l2[1] - theta[1]) > 0.09f, $"AdamW {theta[0]}, {theta[1]}; Adam L2 {l2[0]}, {l2[1]}");

        adamw.Step(theta, [0.5f, 0.5f]);
        Assert.Equal(0.7075f, theta[0], 1e-6f);
        Assert.Equal(-2f, theta[1], 1e-6f);
    }

    [Fact]
    public void AdamW_WithoutWeightDecay_IsAdam()
    {
        var rng = new Rng(5);
        float[] a = new float[19];
        float[] g = new float[19];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = rng.NextGaussian();
            g[i] = rng.NextGaussian();
        }

        float[] b = (float[])a.Clone();
        var adam = new Adam(0.01f);
        var adamw = new AdamW(0.01f, weightDecay: 0f);
        for (int step = 0; step < 3; step++)
        {
            adam.Step(a, g);
            adamw.Step(b, g);
        }

        Assert.Equal(a, b);
    }

    [Fact]
    public void Defaults_AreTorchs()
    {
        var adam = new Adam();
        Assert.Equal(1e-3f, adam.LearningRate);
        Assert.Equal(0.9f, adam.Beta1);
        Assert.Equal(0.999f, adam.Beta2);
        Assert.Equal(1e-8f, adam.Epsilon);
        Assert.Equal(0f, adam.WeightDecay);
        var adamw = new AdamW();
        Assert.Equal(1e-3f, adamw.LearningRate);
        Assert.Equal(0.9f, adamw.Beta1);
        Assert.Equal(0.999f, adamw.Beta2);
        Assert.Equal(1e-8f, adamw.Epsilon);
        Assert.Equal(1e-2f, adamw.WeightDecay);
    }

    [Fact]
    public void LearningRateChangesTakeEffect()
    {
        var adam = new Adam(0.1f) { LearningRate = 0.5f };
        float[] theta = [1f];
        adam.Step(theta, [2f]);
        Assert.Equal(0.5f, theta[0], 1e-6f);
    }

    [Fact]
    public void InvalidSettingsAreRejected()
    {
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(-1f)).ParamName);
        Assert.Equal("learningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(float.NaN)).ParamName);
        Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: 1f)).ParamName);
        Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(beta1: -0.1f)).ParamName);
        Assert.Equal("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta2: 1.5f)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(epsilon: 0f)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(epsilon: float.PositiveInfinity)).ParamName);
        Assert.Equal("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(weightDecay: -0.01f)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => new Adam().LearningRate = -1f).ParamName);
        var beta = Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta2: 1f));
        Assert.Contains("[0, 1)", beta.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnotherParameterBufferIsRejected()
    {
        var adam = new AdamW();
        adam.Step(new float[3], new float[3]);
        var ex = Assert.Throws<ArgumentException>(() => adam.Step(new float[4], new float[4]));
        Assert.Equal("parameters", ex.ParamName);
        Assert.Contains("3", ex.Message, StringComparison.Ordinal);
        Assert.Equal("gradients", Assert.Throws<ArgumentException>(() => adam.Step(new float[3], new float[2])).ParamName);
        Assert.Equal(1, adam.StepCount);
    }
}
