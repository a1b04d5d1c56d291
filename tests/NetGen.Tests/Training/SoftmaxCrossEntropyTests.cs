using System;
using Xunit;

namespace NetGen.Tests.Training;

public class SoftmaxCrossEntropyTests
{
    [Fact]
    public void HandComputedCase_Logits123_Label2()
    {
        float[] logits = [1f, 2f, 3f];
        float[] gradient = new float[3];

        float loss = SoftmaxCrossEntropy.LossAndGradient(logits, 2, gradient);

        double sum = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        Assert.Equal(Math.Log(sum) - 3.0, loss, 1e-6);
        Assert.Equal(Math.Exp(1) / sum, gradient[0], 1e-6);
        Assert.Equal(Math.Exp(2) / sum, gradient[1], 1e-6);
        Assert.Equal((Math.Exp(3) / sum) - 1.0, gradient[2], 1e-6);
        Assert.Equal(loss, SoftmaxCrossEntropy.Loss(logits, 2));
    }

    [Fact]
    public void GradientMatchesFiniteDifferences()
    {
        var rng = new Rng(7);
        float[] logits = new float[7];
        for (int i = 0; i < logits.Length; i++)
        {
            logits[i] = 4f * rng.NextGaussian();
        }

        const int label = 3;
        float[] gradient = new float[logits.Length];
        SoftmaxCrossEntropy.LossAndGradient(logits, label, gradient);

        const float h = 1e-2f;
        for (int i = 0; i < logits.Length; i++)
        {
            float[] plus = (float[])logits.Clone();
            float[] minus = (float[])logits.Clone();
            plus[i] += h;
            minus[i] -= h;
            double numeric = ((double)SoftmaxCrossEntropy.Loss(plus, label) - SoftmaxCrossEntropy.Loss(minus, label)) / (plus[i] - minus[i]);
            Assert.Equal(numeric, gradient[i], 1e-3);
        }
    }

    [Fact]
    public void MatchesDoublePrecisionReference()
    {
        var rng = new Rng(11);
        float[] logits = new float[10];
        for (int i = 0; i < logits.Length; i++)
        {
            logits[i] = 3f * rng.NextGaussian();
        }

        for (int label = 0; label < logits.Length; label++)
        {
            float[] gradient = new float[logits.Length];
            float loss = SoftmaxCrossEntropy.LossAndGradient(logits, label, gradient);
            double sum = 0;
            foreach (float z in logits)
            {
                sum += Math.Exp(z);
            }

            Assert.Equal(Math.Log(sum) - logits[label], loss, 1e-5);
            for (int i = 0; i < logits.Length; i++)
            {
                Assert.Equal((Math.Exp(logits[i]) / sum) - (i == label ? 1 : 0), gradient[i], 1e-6);
            }
        }
    }

    [Fact]
    public void HugeLogitsStayFinite()
    {
        float[] logits = [1000f, -1000f];
        float[] gradient = new float[2];

        Assert.Equal(0f, SoftmaxCrossEntropy.LossAndGradient(logits, 0, gradient));
        Assert.Equal([0f, 0f], gradient);

        float loss = SoftmaxCrossEntropy.LossAndGradient(logits, 1, gradient);
        Assert.Equal(2000f, loss);
        Assert.Equal([1f, -1f], gradient);

        float[] tied = [1000f, 1000f, -1000f];
        float[] tiedGradient = new float[3];
        Assert.Equal(Math.Log(2), SoftmaxCrossEntropy.LossAndGradient(tied, 0, tiedGradient), 1e-6);
        Assert.Equal([-0.5f, 0.5f, 0f], tiedGradient);
    }

    [Fact]
    public void ScaleMultipliesTheGradientButNotTheLoss()
    {
        float[] logits = [0.5f, -1f, 2f, 0f];
        float[] full = new float[4];
        float[] scaled = new float[4];

        float lossFull = SoftmaxCrossEntropy.LossAndGradient(logits, 1, full);
        float lossScaled = SoftmaxCrossEntropy.LossAndGradient(logits, 1, scaled, 0.25f);

        Assert.Equal(lossFull, lossScaled);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(full[i] * 0.25f, scaled[i], 1e-7f);
        }
    }

    [Fact]
    public void GradientSumsToZero()
    {
        float[] logits = [0.3f, -2f, 5f, 1f, 1f];
        float[] gradient = new float[5];
        SoftmaxCrossEntropy.LossAndGradient(logits, 4, gradient);
        float sum = 0;
        foreach (float g in gradient)
        {
            sum += g;
        }

        Assert.Equal(0f, sum, 1e-6f);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    public void LabelOutsideTheClassesIsRejected(int label)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxCrossEntropy.LossAndGradient([1f, 2f, 3f], label, new float[3]));
        Assert.Equal("label", ex.ParamName);
        Assert.Equal("label", Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxCrossEntropy.Loss([1f, 2f, 3f], label)).ParamName);
    }

    [Fact]
    public void GradientOfTheWrongLengthIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.LossAndGradient([1f, 2f, 3f], 0, new float[2]));
        Assert.Equal("logitsGradient", ex.ParamName);
    }

    [Fact]
    public void EmptyLogitsAreRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => SoftmaxCrossEntropy.Loss([], 0));
        Assert.Equal("logits", ex.ParamName);
    }
}
