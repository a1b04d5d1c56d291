using System;
using Xunit;

namespace NetGen.Tests.Training;

public class LossTests
{
    [Fact]
    public void SoftmaxCrossEntropyLoss_UsesTheLabel()
    {
        // log(e¹ + e² + e³) − 3 = 0.4076059; gradient softmax − onehot(2), here scaled by 0.5.
        var loss = new SoftmaxCrossEntropyLoss();
        float[] gradient = new float[3];
        float value = loss.LossAndGradient([1f, 2f, 3f], 2, [9f, 9f, 9f], gradient, 0.5f);
        double sum = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        Assert.Equal(Math.Log(sum) - 3.0, value, 1e-6);
        Assert.Equal(0.5 * Math.Exp(1) / sum, gradient[0], 1e-6);
        Assert.Equal(0.5 * Math.Exp(2) / sum, gradient[1], 1e-6);
        Assert.Equal(0.5 * ((Math.Exp(3) / sum) - 1), gradient[2], 1e-6);
        Assert.Equal("cross_entropy", loss.Name);
    }

    [Fact]
    public void BinaryCrossEntropy_SoftTargets_ClosedForm()
    {
        // z = (2, −1), y = (1, 0.25); σ(2) = 0.8807971, σ(−1) = 0.2689414.
        // loss = ( −log σ(2) + −[0.25·log σ(−1) + 0.75·log(1 − σ(−1))] ) / 2
        //      = ( 0.1269280 + 0.5632617 ) / 2 = 0.3450948
        // gradient = (σ(z) − y) / 2 = (−0.0596015, 0.0094707), times the scale 2 → (−0.1192029, 0.0189414).
        var loss = new BinaryCrossEntropyWithLogitsLoss();
        float[] gradient = new float[2];
        float value = loss.LossAndGradient([2f, -1f], 0, [1f, 0.25f], gradient, 2f);
        Assert.Equal(0.3450948, value, 1e-6);
        Assert.Equal(-0.1192029, gradient[0], 1e-6);
        Assert.Equal(0.0189414, gradient[1], 1e-6);
        Assert.Equal("binary_cross_entropy_with_logits", loss.Name);
    }

    [Fact]
    public void BinaryCrossEntropy_OneOutput_UsesTheLabelAsTarget()
    {
        // z = 0.3, label 1: loss = −log σ(0.3) = log(1 + e^−0.3) = 0.5543552; gradient σ(0.3) − 1 = −0.4255575.
        // label 0: loss = −log(1 − σ(0.3)) = 0.3 + 0.5543552 = 0.8543552; gradient σ(0.3) = 0.5744425.
        var loss = new BinaryCrossEntropyWithLogitsLoss();
        float[] gradient = new float[1];
        Assert.Equal(0.5543552, loss.LossAndGradient([0.3f], 1, default, gradient, 1f), 1e-6);
        Assert.Equal(-0.4255575, gradient[0], 1e-6);
        Assert.Equal(0.8543552, loss.LossAndGradient([0.3f], 0, default, gradient, 1f), 1e-6);
        Assert.Equal(0.5744425, gradient[0], 1e-6);
    }

    [Fact]
    public void BinaryCrossEntropy_SeveralOutputs_UseTheOneHotLabel()
    {
        // z = (0, 0, 0), label 1: every term is log 2 → loss log 2 = 0.6931472; gradient (0.5 − y) / 3 = (1/6, −1/6, 1/6).
        var loss = new BinaryCrossEntropyWithLogitsLoss();
        float[] gradient = new float[3];
        Assert.Equal(Math.Log(2), loss.LossAndGradient([0f, 0f, 0f], 1, default, gradient, 1f), 1e-6);
        Assert.Equal(1.0 / 6, gradient[0], 1e-7);
        Assert.Equal(-1.0 / 6, gradient[1], 1e-7);
        Assert.Equal(1.0 / 6, gradient[2], 1e-7);
    }

    [Fact]
    public void BinaryCrossEntropy_ExtremeLogits_StayFinite()
    {
        // z = (1000, −1000): wrong targets (0, 1) cost 1000 each; right targets (1, 0) cost log(1 + e^−1000) = 0.
        var loss = new BinaryCrossEntropyWithLogitsLoss();
        float[] gradient = new float[2];
        Assert.Equal(1000f, loss.LossAndGradient([1000f, -1000f], 0, [0f, 1f], gradient, 1f));
        Assert.Equal(0.5f, gradient[0]); // (σ − y) / 2 = (1 − 0) / 2
        Assert.Equal(-0.5f, gradient[1]); // (0 − 1) / 2
        Assert.Equal(0f, loss.LossAndGradient([1000f, -1000f], 0, [1f, 0f], gradient, 1f));
        Assert.All(gradient, g => Assert.Equal(0f, g));

        // A tiny but non-zero loss is not lost to rounding: log(1 + e^−40) = 4.248354e−18.
        Assert.Equal(4.248354e-18, loss.LossAndGradient([40f], 1, default, new float[1], 1f), 1e-23);
    }

    [Fact]
    public void MeanSquaredError_ClosedForm()
    {
        // z = (1, 2, 3), y = (0.5, 2, 5): d = (0.5, 0, −2), loss = (0.25 + 0 + 4) / 3 = 1.4166667;
        // gradient 2·d/3 = (1/3, 0, −4/3), times the scale 0.5 → (1/6, 0, −2/3).
        var loss = new MeanSquaredErrorLoss();
        float[] gradient = new float[3];
        Assert.Equal(4.25 / 3, loss.LossAndGradient([1f, 2f, 3f], 0, [0.5f, 2f, 5f], gradient, 0.5f), 1e-6);
        Assert.Equal(1.0 / 6, gradient[0], 1e-7);
        Assert.Equal(0f, gradient[1]);
        Assert.Equal(-2.0 / 3, gradient[2], 1e-7);
        Assert.Equal("mse_loss", loss.Name);
    }

    [Fact]
    public void MeanSquaredError_WithoutTarget_UsesTheOneHotLabel()
    {
        // z = (1, 2, 3), label 1 → y = (0, 1, 0): d = (1, 1, 3), loss = 11/3; gradient 2·d/3 = (2/3, 2/3, 2).
        var loss = new MeanSquaredErrorLoss();
        float[] gradient = new float[3];
        Assert.Equal(11.0 / 3, loss.LossAndGradient([1f, 2f, 3f], 1, default, gradient, 1f), 1e-6);
        Assert.Equal(2.0 / 3, gradient[0], 1e-7);
        Assert.Equal(2.0 / 3, gradient[1], 1e-7);
        Assert.Equal(2f, gradient[2]);
    }

    [Fact]
    public void MeanSquaredError_ExtremeLogits_StayFinite()
    {
        // z = (1000, −1000), label 0 → y = (1, 0): loss = (999² + 1000²) / 2 = 999000.5; gradient d = (999, −1000).
        float[] gradient = new float[2];
        Assert.Equal(999000.5f, new MeanSquaredErrorLoss().LossAndGradient([1000f, -1000f], 0, default, gradient, 1f));
        Assert.Equal(999f, gradient[0]);
        Assert.Equal(-1000f, gradient[1]);
    }

    [Theory]
    [InlineData("bce", true)]
    [InlineData("bce", false)]
    [InlineData("mse", true)]
    [InlineData("mse", false)]
    [InlineData("ce", false)]
    public void Gradients_MatchFiniteDifferences(string name, bool withTarget)
    {
        ILoss loss = name switch
        {
            "bce" => new BinaryCrossEntropyWithLogitsLoss(),
            "mse" => new MeanSquaredErrorLoss(),
            _ => new SoftmaxCrossEntropyLoss(),
        };
        var rng = new Rng(17);
        float[] logits = new float[6];
        float[] target = new float[6];
        for (int i = 0; i < logits.Length; i++)
        {
            logits[i] = 3f * rng.NextGaussian();
            target[i] = rng.NextFloat();
        }

        const int label = 4;
        ReadOnlySpan<float> y = withTarget ? target : default;
        float[] gradient = new float[logits.Length];
        loss.LossAndGradient(logits, label, y, gradient, 1f);
        float[] scratch = new float[logits.Length];
        const float h = 1e-2f;
        for (int i = 0; i < logits.Length; i++)
        {
            float[] plus = (float[])logits.Clone();
            float[] minus = (float[])logits.Clone();
            plus[i] += h;
            minus[i] -= h;
            double numeric = ((double)loss.LossAndGradient(plus, label, y, scratch, 1f) - loss.LossAndGradient(minus, label, y, scratch, 1f)) / (plus[i] - minus[i]);
            Assert.True(Math.Abs(numeric - gradient[i]) < 1e-3, $"{name} output {i}: analytic {gradient[i]}, numeric {numeric}");
        }

        // The scale multiplies the gradient, not the loss.
        float[] scaled = new float[logits.Length];
        Assert.Equal(loss.LossAndGradient(logits, label, y, gradient, 1f), loss.LossAndGradient(logits, label, y, scaled, 0.25f));
        for (int i = 0; i < logits.Length; i++)
        {
            Assert.Equal(0.25f * gradient[i], scaled[i], 1e-7f);
        }
    }

    [Fact]
    public void InvalidArguments_AreRejected()
    {
        ILoss[] losses = [new BinaryCrossEntropyWithLogitsLoss(), new MeanSquaredErrorLoss()];
        foreach (ILoss loss in losses)
        {
            Assert.Equal("target", Assert.Throws<ArgumentException>(() => loss.LossAndGradient([1f, 2f], 0, [1f], new float[2], 1f)).ParamName);
            Assert.Equal("logitsGradient", Assert.Throws<ArgumentException>(() => loss.LossAndGradient([1f, 2f], 0, default, new float[3], 1f)).ParamName);
            Assert.Equal("logits", Assert.Throws<ArgumentException>(() => loss.LossAndGradient([], 0, default, [], 1f)).ParamName);
            Assert.Equal("label", Assert.Throws<ArgumentOutOfRangeException>(() => loss.LossAndGradient([1f, 2f], 2, default, new float[2], 1f)).ParamName);
        }

        // One output: BCE takes labels 0 and 1, MSE (one-hot) only 0.
        Assert.Equal("label", Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryCrossEntropyWithLogitsLoss().LossAndGradient([1f], 2, default, new float[1], 1f)).ParamName);
        Assert.Equal("label", Assert.Throws<ArgumentOutOfRangeException>(() => new MeanSquaredErrorLoss().LossAndGradient([1f], 1, default, new float[1], 1f)).ParamName);
        Assert.Equal("label", Assert.Throws<ArgumentOutOfRangeException>(() => new SoftmaxCrossEntropyLoss().LossAndGradient([1f, 2f], 5, default, new float[2], 1f)).ParamName);
    }
}
